/**
 * Does a trail record ALL management events, read and write? Basic selectors: `ReadWriteType` plus
 * `IncludeManagementEvents`, unioned over the (up to five) selectors. Advanced selectors: a selector
 * whose `eventCategory` allows `Management`, whose `readOnly` allows the direction, and that restricts
 * nothing else (an `eventSource` exclusion drops, for example, KMS calls: their AccessDenied events would
 * never reach the filter). A trail with neither kind of selector records nothing.
 */
import type { AdvancedFieldSelector, EventSelectors } from '../snapshot';

export interface ManagementCoverage {
  read: boolean;
  write: boolean;
  /** Event sources excluded from management events (basic `ExcludeManagementEventSources` or advanced `eventSource` restrictions). */
  excludedSources: string[];
  kind: 'basic' | 'advanced' | 'none';
}

/** Would a field selector let `value` through? (Equals/StartsWith/EndsWith are ORs; the Not* forms exclude.) */
export function fieldAllows(selector: AdvancedFieldSelector, value: string): boolean {
  if (selector.equals?.length && !selector.equals.includes(value)) return false;
  if (selector.startsWith?.length && !selector.startsWith.some((p) => value.startsWith(p))) return false;
  if (selector.endsWith?.length && !selector.endsWith.some((s) => value.endsWith(s))) return false;
  if (selector.notEquals?.includes(value)) return false;
  if (selector.notStartsWith?.some((p) => value.startsWith(p))) return false;
  if (selector.notEndsWith?.some((s) => value.endsWith(s))) return false;
  return true;
}

function describeRestriction(selector: AdvancedFieldSelector): string[] {
  const parts: string[] = [];
  const add = (op: string, values?: string[]) => {
    if (values?.length) parts.push(`${selector.field} ${op} ${values.join('|')}`);
  };
  add('=', selector.equals);
  add('!=', selector.notEquals);
  add('startsWith', selector.startsWith);
  add('!startsWith', selector.notStartsWith);
  add('endsWith', selector.endsWith);
  add('!endsWith', selector.notEndsWith);
  return parts;
}

export function managementCoverage(selectors: EventSelectors): ManagementCoverage {
  const excluded = new Set<string>();
  let read = false;
  let write = false;
  for (const s of selectors.basic) {
    if (!s.includeManagementEvents) continue;
    if (s.excludeManagementEventSources.length > 0) {
      for (const source of s.excludeManagementEventSources) excluded.add(source);
      continue;
    }
    if (s.readWriteType === 'All' || s.readWriteType === 'ReadOnly') read = true;
    if (s.readWriteType === 'All' || s.readWriteType === 'WriteOnly') write = true;
  }
  for (const s of selectors.advanced) {
    const category = s.fieldSelectors.find((f) => f.field === 'eventCategory');
    if (!category || !fieldAllows(category, 'Management')) continue;
    const readOnly = s.fieldSelectors.find((f) => f.field === 'readOnly');
    const others = s.fieldSelectors.filter((f) => f.field !== 'eventCategory' && f.field !== 'readOnly');
    if (others.length > 0) {
      for (const other of others) for (const r of describeRestriction(other)) excluded.add(r);
      continue;
    }
    if (!readOnly || fieldAllows(readOnly, 'true')) read = true;
    if (!readOnly || fieldAllows(readOnly, 'false')) write = true;
  }
  const kind = selectors.advanced.length > 0 ? 'advanced' : selectors.basic.length > 0 ? 'basic' : 'none';
  return { read, write, excludedSources: [...excluded], kind };
}
