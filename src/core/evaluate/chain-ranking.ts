/**
 * Choosing the best candidate chain and wording a holding one. A chain with a `fail` link is definitely
 * broken; one with only `error` links might hold, so it ranks above every failing chain.
 */

import { type Path, q } from './chain-path';
import type { AccountStatus } from './findings';

export function pathStatus(p: Path): AccountStatus {
  if (p.links.some((l) => l.status === 'fail')) return 'NON_COMPLIANT';
  if (p.links.some((l) => l.status === 'error')) return 'ERROR';
  return 'COMPLIANT';
}

const STATUS_RANK: Record<AccountStatus, number> = { COMPLIANT: 2, ERROR: 1, NON_COMPLIANT: 0, ACCEPTED: 0 };

/** Higher is better: status, then how far the chain holds, then fewer errors and warnings. */
function score(p: Path): number[] {
  const firstFail = p.links.findIndex((l) => l.status === 'fail');
  const good = p.links.filter((l) => l.status === 'pass' || l.status === 'warn').length;
  const errors = p.links.filter((l) => l.status === 'error').length;
  const warns = p.links.filter((l) => l.status === 'warn').length;
  return [STATUS_RANK[pathStatus(p)], firstFail === -1 ? p.links.length : firstFail, good, -errors, -warns];
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

export function compliantReason(p: Path): string {
  const c = p.chain;
  const warns = p.links.filter((l) => l.status === 'warn').length;
  const parts = [
    `trail ${q(c.trailName ?? '?')}`,
    `log group ${c.logGroupName ?? '?'}`,
    `filter ${q(c.filterName ?? '?')}`,
    `alarm ${q(c.alarmName ?? '?')}`,
    `topic ${c.topicArn?.split(':').pop() ?? '?'}`,
  ];
  return `Chain holds: ${parts.join(' -> ')} (confirmed subscriber)${warns ? `; ${warns} warning(s)` : ''}.`;
}

/** The best of the candidate chains (the first on a tie); `paths` is never empty. */
export function bestPath(paths: Path[]): Path {
  let best = paths[0] as Path;
  let bestScore = score(best);
  for (const p of paths.slice(1)) {
    const s = score(p);
    if (better(s, bestScore)) {
      best = p;
      bestScore = s;
    }
  }
  return best;
}
