/**
 * One account's findings for a section share most of their links: the trail, logging, management-events
 * and log-group links (and the topic and subscription links of alarms sharing a topic) are built once
 * per control from the same snapshot, with the same content. A report of 1,000 accounts keeps every row
 * until it is printed, so each copy counts (~80 KB per account before). `shareEqualLinks` makes equal
 * links ONE object: same fields in the same order with equal values, so every printed form (JSON, cards,
 * report formats) is byte for byte what it was. Findings are never mutated after evaluation (everything
 * downstream replaces a link with a new object), which is what makes sharing them safe.
 */
import type { AccountFinding, LinkResult } from './findings';

/** Deep equality of JSON-like values, key order included (so a shared object prints the same). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (k !== kb[i]) return false;
    if (!sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The findings with links equal to an earlier finding's link replaced by that link (see above). */
export function shareEqualLinks(findings: AccountFinding[]): AccountFinding[] {
  // Candidates by what cheaply tells links apart; the deep comparison runs only within a bucket.
  const seen = new Map<string, LinkResult[]>();
  // Links already kept (most of a section's: the controls share the start of the chain, account-links.ts).
  const kept = new Set<LinkResult>();
  return findings.map((finding) => {
    let changed = false;
    const links = finding.links.map((link) => {
      if (kept.has(link)) return link;
      const key = `${link.link}\u0000${link.status}\u0000${link.detail}`;
      const bucket = seen.get(key);
      const twin = bucket?.find((other) => sameJson(other, link));
      if (twin) {
        changed = true;
        return twin;
      }
      if (bucket) bucket.push(link);
      else seen.set(key, [link]);
      kept.add(link);
      return link;
    });
    return changed ? { ...finding, links } : finding;
  });
}
