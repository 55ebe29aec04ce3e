/**
 * What one account's controls share while they are evaluated one after the other from the account's one
 * snapshot (a section audit: 16 controls per account). The start of every chain (trail, logging,
 * management events, log group) reads nothing of the control, so the first control builds it and the
 * others reuse it, links and evidence included (the same objects shareEqualLinks would have made them
 * anyway; findings are never mutated after evaluation).
 *
 * Bounded by construction: account-audit.ts makes one per account for the loop over its controls and
 * drops it after; it is tied to its snapshot (`snap`), and a context whose snapshot is another one ignores
 * it, so one account's links can never reach another account's finding.
 */
import type { AccountSnapshot, LogGroupSnapshot, MetricFilter, TrailSnapshot } from '../snapshot';
import type { Path } from './chain-path';
import type { ChainRef, LinkResult } from './findings';

/** A trail's control-independent links: the chain ends there (`done`) or goes on to the log group's filters. */
export type TrailStart =
  | { done: Path }
  | { links: LinkResult[]; chain: ChainRef; lg: LogGroupSnapshot; filters: readonly MetricFilter[] };

export class AccountLinks {
  /** Per trail of the snapshot (trail-links.ts). */
  readonly trailStarts = new Map<TrailSnapshot, TrailStart>();
  constructor(readonly snap: AccountSnapshot) {}
}
