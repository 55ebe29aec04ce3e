/**
 * The pure evaluation of one account's snapshot against a chain control: enumerate every candidate chain
 * (trail x covering filter x alarm x topic), evaluate its links in order, pick the best chain, and report
 * its first broken link as the reason. A chain with a `fail` link is definitely broken; one with only
 * `error` links might hold, so it ranks above every failing chain and makes the account ERROR (an
 * AccessDenied is never a pass, nor a confident "non-compliant").
 *
 * The links are checked in chain order by trail-links.ts -> log-group-links.ts -> alarm-links.ts ->
 * topic-links.ts, each handing its candidates to the next; chain-ranking.ts picks the best one.
 */

import type { MetricFilterControl } from '../controls/types';
import type { AccountSnapshot } from '../snapshot';
import { type AcceptedDeviation, acceptedByOf, deviationsFor } from './accepted-deviations';
import type { AccountLinks } from './account-links';
import { type Ctx, type Path, q } from './chain-path';
import { bestPath, compliantReason, pathStatus } from './chain-ranking';
import type { AccountFinding, LinkName, LinkResult } from './findings';
import { errorLink, fail } from './links';
import { trailPaths } from './trail-links';

/** The start of every control's finding for an account: which control and account. */
export function findingBase(controlId: string, snap: AccountSnapshot) {
  return {
    control: controlId,
    accountId: snap.accountId,
    ...(snap.label !== undefined ? { label: snap.label } : {}),
  };
}

/** The finding of any control in an account that could not be reached at all (no link was read). */
export function unreachableFinding(controlId: string, snap: AccountSnapshot): AccountFinding | undefined {
  if (snap.access.ok) return undefined;
  const { kind, action, code } = snap.access.error;
  return {
    ...findingBase(controlId, snap),
    status: 'ERROR',
    reason: `Cannot audit account ${snap.accountId}: ${snap.access.error.message} (${action}).`,
    accessError: { kind, action, ...(code !== undefined ? { code } : {}) },
    links: [],
    chain: {},
    candidates: 0,
  };
}

/**
 * The control's finding. Named deviations (`deviations`, any control or account: the control's own are
 * picked) only ever turn a NON_COMPLIANT finding into one about the chain through the accepted filter:
 * ACCEPTED when that chain otherwise holds, else its own broken link (or ERROR), its reason naming the
 * exception. A finding no deviation reaches (the filter changed, the chain breaks before the filter) is
 * the plain one; COMPLIANT and ERROR findings never change.
 */
export function evaluate(
  control: MetricFilterControl,
  snap: AccountSnapshot,
  deviations: readonly AcceptedDeviation[] = [],
  shared?: AccountLinks,
): AccountFinding {
  const plain = evaluateChain(control, snap, [], shared);
  const mine = deviationsFor(deviations, control.id, snap.accountId);
  if (mine.length === 0 || plain.status !== 'NON_COMPLIANT') return plain;
  const through = evaluateChain(control, snap, mine, shared);
  const index = through.links.findIndex((l) => l.link === 'metric-filter' && acceptedByOf(l));
  const link = through.links[index];
  const by = link ? acceptedByOf(link) : undefined;
  const deviation = mine.find((d) => d.exception.id === by?.exceptionId);
  if (!link || !deviation) return plain;
  if (through.status === 'COMPLIANT') {
    // What fails is still the filter (brokenLink, a `fail` link); the links go on to show the rest holds.
    const warns = through.links.filter((l) => l.status === 'warn' && l !== link).length;
    const c = through.chain;
    return {
      ...through,
      status: 'ACCEPTED',
      reason: `${link.detail} The rest of the chain holds: alarm ${q(c.alarmName ?? '?')} -> topic ${c.topicArn?.split(':').pop() ?? '?'} (confirmed subscriber)${warns ? `; ${warns} warning(s)` : ''}.`,
      brokenLink: 'metric-filter',
      links: through.links.map((l, i) => (i === index ? { ...l, status: 'fail' } : l)),
      exception: deviation.exception,
    };
  }
  const filter = q(String(link.evidence.filterName ?? '?'));
  return {
    ...through,
    reason: `${through.reason} Metric filter ${filter} counts as covering CIS ${control.id} only by exception ${deviation.exception.id} (named deviation): the chain after it must hold too.`,
  };
}

/** The chain evaluation proper; filters that `accepted` deviations name count as covering. */
function evaluateChain(
  control: MetricFilterControl,
  snap: AccountSnapshot,
  accepted: readonly AcceptedDeviation[] = [],
  shared?: AccountLinks,
): AccountFinding {
  const base = findingBase(control.id, snap);
  const unreachable = unreachableFinding(control.id, snap);
  if (unreachable) return unreachable;
  let paths: Path[];
  if (!snap.trails.ok) {
    paths = [
      {
        links: [errorLink('trail', snap.trails.error, `the trails of region ${snap.auditRegion}`)],
        chain: {},
      },
    ];
  } else if (snap.trails.value.length === 0) {
    paths = [
      {
        links: [
          fail(
            'trail',
            `No CloudTrail trail covers account ${snap.accountId}: DescribeTrails in ${snap.auditRegion} lists none (every multi-region trail would appear there).`,
            { auditRegion: snap.auditRegion },
          ),
        ],
        chain: {},
      },
    ];
  } else {
    const ctx: Ctx = { control, snap, accepted, ...(shared ? { shared } : {}) };
    paths = snap.trails.value.flatMap((ts) => trailPaths(ctx, ts));
  }
  const best = bestPath(paths);
  const status = pathStatus(best);
  const broken: LinkResult | undefined =
    status === 'NON_COMPLIANT'
      ? best.links.find((l) => l.status === 'fail')
      : status === 'ERROR'
        ? best.links.find((l) => l.status === 'error')
        : undefined;
  let reason = broken ? broken.detail : compliantReason(best);
  if (
    broken &&
    snap.trails.ok &&
    snap.trails.value.length > 0 &&
    !snap.trails.value.some((t) => t.trail.isMultiRegion)
  ) {
    reason = `No multi-region trail: ${reason}`;
  }
  const brokenLink: LinkName | undefined = broken?.link;
  return {
    ...base,
    status,
    reason,
    ...(brokenLink ? { brokenLink } : {}),
    links: best.links,
    chain: best.chain,
    candidates: paths.length,
  };
}
