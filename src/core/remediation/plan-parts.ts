/**
 * What the step builders (filter-step.ts, topic-steps.ts, alarm-step.ts) share: the planner's inputs for
 * one located repair, and the steps and guidance they append to in chain order.
 */
import type { MetricFilterControl } from '../controls/types';
import type { AccountFinding } from '../evaluate/findings';
import type { RemediationFacts } from '../ports/remediation-runtime';
import type { RemediationSettings } from '../settings';
import type { AccountSnapshot } from '../snapshot';
import type { Located, RemediationNames } from './repair-target';
import type { Guidance, PlanStep } from './types';

export interface StepContext {
  finding: AccountFinding;
  snapshot: AccountSnapshot;
  control: MetricFilterControl;
  settings: RemediationSettings;
  facts: RemediationFacts;
  loc: Located;
  names: RemediationNames;
  /** The name part of `loc.topicArn`, for titles and details. */
  topicName: string;
}

/** Appended to in chain order, so the guidance reads in the order of the links it is about. */
export interface PlanParts {
  steps: PlanStep[];
  guidance: Guidance[];
}

/** A metric by name and namespace (the account and region are the repair's). */
export interface MetricName {
  name: string;
  namespace: string;
}

export const q = (s: string) => `'${s}'`;
