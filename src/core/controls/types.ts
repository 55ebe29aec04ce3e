/**
 * What a control is, as data: its identity in the CIS frameworks, the reference filter pattern, the
 * metric/alarm defaults the remediation uses, and the IAM actions an audit of it reads. Section 4 controls
 * (4.1 to 4.15) all follow the same CloudTrail -> CloudWatch Logs -> metric filter -> alarm -> SNS chain
 * and differ only in these data, so adding one is adding an entry to the array in `cis-v4-section-4.ts`.
 */

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

export interface Control {
  /** Stable id used in commands, config and findings, e.g. `4.1`. */
  id: string;
  cis: CisMapping;
  title: string;
  rationale: string;
  severity: Severity;
  /** How the control is checked; every section-4 pattern control is a `metric-filter-chain`. */
  kind: 'metric-filter-chain';
  /** The reference CloudWatch Logs filter pattern, as the CIS text gives it. */
  pattern: string;
  defaults: MetricAlarmDefaults;
  /** IAM actions the audit of this control calls (the audit role needs all of them). */
  readActions: readonly string[];
  /** IAM actions the CIS remediation calls (for the planner and the README's IAM policy). */
  remediationActions: readonly string[];
  /**
   * Ordinary, successful CloudTrail records this control must NOT alarm on (no errorCode, a normal
   * caller). The reference pattern matches none of them; a filter BROADER than the reference that matches
   * one would fire on everyday activity and drown real findings, so the audit fails it.
   */
  benignEvents?: readonly BenignEvent[];
}

/** A CloudTrail record as delivered to CloudWatch Logs (one JSON object per log event). */
export type BenignEvent = Readonly<Record<string, unknown>>;
