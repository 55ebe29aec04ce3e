/**
 * The explicit control registry: a Map built from imported arrays (section-4/index.ts lists the section's
 * records). A duplicate id is a programming error and throws at load time; an unknown id asked for by a
 * user is an UnknownControlError (a UsageError, so adapters show it as-is).
 */
import { UsageError } from '../errors';
import { CIS_V4_SECTION_4 } from './section-4';
import type { Control, MetricFilterControl } from './types';

export class UnknownControlError extends UsageError {
  readonly controlId: string;
  constructor(controlId: string, known: readonly string[]) {
    super(`Unknown control "${controlId}". Known controls: ${known.join(', ')}.`);
    this.controlId = controlId;
  }
}

export type ControlRegistry = ReadonlyMap<string, Control>;

export function buildRegistry(...lists: ReadonlyArray<readonly Control[]>): ControlRegistry {
  const map = new Map<string, Control>();
  for (const list of lists) {
    for (const control of list) {
      if (map.has(control.id)) throw new Error(`duplicate control id ${control.id} in the registry`);
      map.set(control.id, Object.freeze(control));
    }
  }
  return map;
}

export const CONTROLS: ControlRegistry = buildRegistry(CIS_V4_SECTION_4);

export function getControl(id: string, registry: ControlRegistry = CONTROLS): Control {
  const control = registry.get(id);
  if (!control) throw new UnknownControlError(id, [...registry.keys()]);
  return control;
}

/** The section a control id belongs to: `4` for `4.16`. */
export function sectionOf(id: string): string {
  return id.split('.')[0] ?? id;
}

/** The sections of the registry, in order, each once (`4`). */
export function sections(registry: ControlRegistry = CONTROLS): string[] {
  return [...new Set([...registry.keys()].map(sectionOf))];
}

/**
 * The controls a list names (`4.1`, `4.3`, or a whole section `4`), each once, in registry order (the
 * order of a row of statuses). Anything unknown is an UnknownControlError naming what is known.
 */
export function selectControls(
  selectors: readonly string[],
  registry: ControlRegistry = CONTROLS,
): Control[] {
  const wanted = new Set<string>();
  for (const selector of selectors) {
    const members = [...registry.keys()].filter((id) => id === selector || sectionOf(id) === selector);
    if (members.length === 0) {
      const known = [
        ...registry.keys(),
        ...sections(registry).map((s) => `${s} (every control of section ${s})`),
      ];
      throw new UnknownControlError(selector, known);
    }
    for (const id of members) wanted.add(id);
  }
  return [...registry.values()].filter((c) => wanted.has(c.id));
}

/** The registry's metric-filter-chain controls (those with a CIS pattern), in registry order. */
export function metricFilterControls(registry: ControlRegistry = CONTROLS): MetricFilterControl[] {
  return [...registry.values()].filter((c): c is MetricFilterControl => c.kind === 'metric-filter-chain');
}

/** A control that has a CIS filter pattern; any other id is a usage error naming the ones that do. */
export function getMetricFilterControl(
  id: string,
  registry: ControlRegistry = CONTROLS,
): MetricFilterControl {
  const control = registry.get(id);
  if (control?.kind === 'metric-filter-chain') return control;
  const known = metricFilterControls(registry).map((c) => c.id);
  if (!control) throw new UnknownControlError(id, known);
  throw new UsageError(`Control ${id} has no filter pattern. Controls with one: ${known.join(', ')}.`);
}
