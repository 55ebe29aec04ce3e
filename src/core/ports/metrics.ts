/**
 * The metrics port: the events cis-bot records for its operators, named here so the core can record its
 * own (approval decisions, remediation steps) without knowing Prometheus. `src/metrics/` implements it
 * with prom-client and serves `/metrics`; `NO_METRICS` is the implementation when metrics are off (the
 * default), so every caller records unconditionally and pays nothing.
 *
 * Infrastructure records the rest at its boundaries: the store decorator (audits recorded, findings,
 * database latency), the AWS SDK middleware (calls and errors), the scheduler (digest runs), the chat
 * routes and the chat core decorator (acks and requests). Events carry account ids; whether an account id
 * becomes a label is the implementation's decision (`metrics.account_labels`), never the caller's.
 */
export interface AuditRecordedEvent {
  control: string;
  /** What asked for it: `slack`, `teams`, `cli`, `schedule`, `system`... */
  trigger: string;
  /** One verdict per audited account. */
  accounts: ReadonlyArray<{ accountId: string; status: string }>;
}

export interface ApprovalDecisionEvent {
  /** The approval's kind (`remediation`...); `unknown` when the approval was not found. */
  kind: string;
  /** `approve` or `reject`. */
  decision: string;
  /** `recorded`, `automatic` (granted by policy), or the refusal's reason (`forbidden`, `expired`...). */
  outcome: string;
}

export interface RemediationStepEvent {
  control: string;
  accountId: string;
  /** The step's AWS call, `service:Operation`. */
  call: string;
  /** The step's outcome status (`done`, `already`, `failed`...). */
  status: string;
  durationMs: number;
}

export interface DigestRunEvent {
  schedule: string;
  /** `scheduled`, `catch-up`, `on-demand`... */
  trigger: string;
  /** The run's outcome (`posted`, `skipped-duplicate`...), or `failed` when it threw. */
  outcome: string;
  durationMs: number;
}

export interface AwsCallEvent {
  /** The SDK client's service (`CloudTrail`, `CloudWatchLogs`...). */
  service: string;
  /** The operation (`DescribeTrails`...). */
  operation: string;
  /** The account whose credentials signed it, when known. */
  accountId?: string;
  /** AWS's error code (or the SDK's error name) when the call failed. */
  error?: string;
  durationMs: number;
}

export interface StoreOperationEvent {
  /** `sqlite` or `postgres`. */
  store: string;
  /** The store port's method (`recordAuditRun`, `acquireLease`...). */
  operation: string;
  ok: boolean;
  durationMs: number;
}

export interface ChatAckEvent {
  /** `slack` or `teams`. */
  platform: string;
  /** The HTTP status answered. */
  status: number;
  /** From the request's arrival to the last byte of the answer (Slack's 3-second deadline is on this). */
  durationMs: number;
}

export interface ChatRequestEvent {
  platform: string;
  /** The command's verb (`audit`, `remediate`...) or `click`. */
  request: string;
  ok: boolean;
  /** The core's work on it, from the call to its answer (after the ack for Slack). */
  durationMs: number;
}

export interface Metrics {
  auditRecorded(event: AuditRecordedEvent): void;
  approvalDecision(event: ApprovalDecisionEvent): void;
  remediationStep(event: RemediationStepEvent): void;
  digestRun(event: DigestRunEvent): void;
  awsCall(event: AwsCallEvent): void;
  storeOperation(event: StoreOperationEvent): void;
  chatAck(event: ChatAckEvent): void;
  chatRequest(event: ChatRequestEvent): void;
}

const ignore = (): void => undefined;

/** Metrics off: every event is dropped. */
export const NO_METRICS: Metrics = Object.freeze({
  auditRecorded: ignore,
  approvalDecision: ignore,
  remediationStep: ignore,
  digestRun: ignore,
  awsCall: ignore,
  storeOperation: ignore,
  chatAck: ignore,
  chatRequest: ignore,
});
