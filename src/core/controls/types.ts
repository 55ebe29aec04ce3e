/**
 * What a control is, as data: one record per control, a discriminated union by `kind`.
 *   - `metric-filter-chain`: the CIS section-4 shape (4.1 to 4.15): CloudTrail -> CloudWatch Logs ->
 *     metric filter -> alarm -> SNS topic -> subscription, with the control's own filter pattern.
 *   - `service`: a control that checks one AWS service setting and has no pattern (4.16, Security Hub
 *     enabled); its `check` names the collector and the evaluation that audit it.
 * Every consumer that behaves differently per kind switches on `kind` and ends with `unhandledKind`, so a
 * new kind breaks each of them at compile time. How to add a control: the repository's ARCHITECTURE.md.
 */
import type { ChainLinkName, ServiceCheckName } from '../evaluate/findings';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** The control's id in each CIS AWS Foundations version that has it (same wording, maybe another number). */
export interface CisMapping {
  /** CIS AWS Foundations Benchmark v4.0.0 (the bot's reference). */
  'v4.0.0': string;
  /** v3.0.0 numbered section 4 "Monitoring" the same way. */
  'v3.0.0': string;
  /** v1.2.0 had monitoring as section 3 (3.1 ...); absent where v1.2.0 had no such control. */
  'v1.2.0'?: string;
}

/**
 * An AWS API call, as CloudTrail records it, that can break one link of a control: the drift alerts
 * (issue 13) build their EventBridge rule and their event-to-control mapping from these.
 */
export interface BreakingCall {
  /** CloudTrail `eventSource`, e.g. `cloudtrail.amazonaws.com` (CloudWatch is `monitoring.amazonaws.com`). */
  eventSource: string;
  /** CloudTrail `eventName` (the API operation), e.g. `StopLogging`. */
  eventName: string;
  /** How the call breaks the link, in one sentence. */
  why: string;
  /**
   * Made in the organization's management account (or a delegated administrator), not in the audited
   * account: it can break the link of every member account at once.
   */
  organizationWide?: boolean;
}

/** The CIS remediation's names and alarm settings (`put-metric-filter`, `put-metric-alarm`). */
export interface MetricAlarmDefaults {
  filterName: string;
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  alarmName: string;
  statistic: 'Sum';
  period: number;
  threshold: number;
  comparisonOperator: 'GreaterThanOrEqualToThreshold';
  evaluationPeriods: number;
}

/** How a pattern variant compares with the control's main pattern (the engine's verdict). */
export type VariantRelation = 'EQUIVALENT' | 'NARROWER' | 'BROADER';

/** Another pattern the CIS text offers for the same control (e.g. 4.2's variant for SSO users). */
export interface PatternVariant {
  name: string;
  /** Verbatim, as the CIS text prints it. */
  pattern: string;
  /** What `comparePatterns(variant, main)` says; the contract test holds the record to it. */
  relation: VariantRelation;
  why: string;
}

/** A CloudTrail record as delivered to CloudWatch Logs (one JSON object per log event). */
export type BenignEvent = Readonly<Record<string, unknown>>;

/** What every control has, whatever its kind. */
interface ControlBase {
  /** Stable id used in commands, config and findings, e.g. `4.1`. */
  id: string;
  cis: CisMapping;
  title: string;
  rationale: string;
  severity: Severity;
  /** IAM actions the audit of this control calls (the audit role needs all of them). */
  readActions: readonly string[];
  /** IAM actions its remediation calls (empty when the remediation is guidance only). */
  remediationActions: readonly string[];
}

/** A CIS section-4 control: the monitoring chain with the control's own metric-filter pattern. */
export interface MetricFilterControl extends ControlBase {
  kind: 'metric-filter-chain';
  /** The reference CloudWatch Logs filter pattern, verbatim as the CIS text prints it. */
  pattern: string;
  /**
   * Other patterns the CIS text offers as accepted alternatives, held to their documented relation. The
   * audit accepts a filter that covers `pattern` OR any variant (the finding names the variant matched).
   */
  variants: readonly PatternVariant[];
  /** The names and alarm settings the remediation uses (`remediation.overrides` may rename). */
  defaults: MetricAlarmDefaults;
  /**
   * Ordinary, successful CloudTrail records this control must NOT alarm on (no errorCode, a normal
   * caller). The reference pattern matches none of them; a filter BROADER than the reference that matches
   * one would fire on everyday activity and drown real findings, so the audit fails it.
   */
  benignEvents: readonly BenignEvent[];
  /** Per link of the chain, the API calls that can break it (shared: `CHAIN_BREAKING_CALLS`). */
  breakingCalls: Readonly<Record<ChainLinkName, readonly BreakingCall[]>>;
}

/**
 * A control that checks a service setting, without a pattern or a chain (4.16: Security Hub enabled).
 * Its remediation is guidance (enabling a service is a billing decision), never an automatic step.
 */
export interface ServiceControl extends ControlBase {
  kind: 'service';
  /**
   * The service setting it checks, which picks its collector (src/aws) and its pure evaluation
   * (core/evaluate/service-checks.ts); also the name of its links in findings.
   */
  check: ServiceCheckName;
  /** The API calls that can break the control's check, keyed by `check` (e.g. `security-hub`). */
  breakingCalls: Readonly<Record<string, readonly BreakingCall[]>>;
  /** What a person does to comply, with the exact AWS CLI line. */
  guidance: { text: string; cli: string };
}

export type Control = MetricFilterControl | ServiceControl;
export type ControlKind = Control['kind'];

/** The end of an exhaustive `switch (control.check)` of a service control: a new check fails to compile. */
export function unhandledCheck(check: never): never {
  throw new Error(`unhandled service check: ${JSON.stringify(check)}`);
}

/** The end of an exhaustive `switch (control.kind)`: a new kind fails to compile until it is handled. */
export function unhandledKind(control: never): never {
  throw new Error(`unhandled control kind: ${JSON.stringify((control as { kind?: unknown }).kind)}`);
}
