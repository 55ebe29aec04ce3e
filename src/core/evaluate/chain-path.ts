/**
 * What the per-link checks share: a candidate chain (`Path`, its links so far and the resources it names),
 * the evaluation context, and the small wording helpers every link's detail uses.
 */

import type { MetricFilterControl } from '../controls/types';
import type { AccountSnapshot, MetricRef } from '../snapshot';
import type { AcceptedDeviation } from './accepted-deviations';
import type { AccountLinks } from './account-links';
import type { ChainRef, LinkResult } from './findings';

export interface Path {
  links: LinkResult[];
  chain: ChainRef;
}

export interface Ctx {
  control: MetricFilterControl;
  snap: AccountSnapshot;
  /** Named deviations of this control and account: their filters count as covering (log-group-links.ts). */
  accepted?: readonly AcceptedDeviation[];
  /** The links the account's controls share (account-links.ts); used only with its own snapshot. */
  shared?: AccountLinks;
}

export const q = (name: string) => `'${name}'`;

export function metricLabel(m: MetricRef): string {
  return `${m.namespace}/${m.name}`;
}

/** The collector left this resource out of the snapshot: reported as an error naming the action. */
export function notRead(action: string) {
  return { kind: 'failed' as const, action, message: 'not read by the collector' };
}
