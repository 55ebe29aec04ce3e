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

/**
 * What became of one message of the drift-alert queue: `mapped` (a CloudTrail call that can break a
 * watched link, for an account cis-bot audits), `ignored-foreign` (well formed but not cis-bot's: another
 * kind of EventBridge event, or an account cis-bot does not audit), `ignored-irrelevant` (a CloudTrail
 * call that failed or cannot break a watched link), `malformed` (empty, too large, not JSON, not an
 * EventBridge CloudTrail event), `deferred` (kept on the queue: the audited accounts could not be listed).
 */
export type DriftEventOutcome =
  | 'mapped'
  | 'ignored-foreign'
  | 'ignored-irrelevant'
  | 'malformed'
  | 'deferred';

export interface DriftReauditEvent {
  accountId: string;
  /** `recorded` (its alerts posted, its messages deleted), `busy` (the account's lease was held: tried later) or `failed`. */
  result: 'recorded' | 'busy' | 'failed';
}

export interface DriftAlertEvent {
  control: string;
  accountId: string;
  /** `recovered` when the control is compliant again, else `broke`. */
  transition: 'broke' | 'recovered';
  /** From this replica's receive of the batch's first SQS message to the return of the re-audit that posted it. */
  latencyMs: number;
}

/** What the drift poller knows now, read at scrape time (one poller per process). */
export interface DriftPollerProbe {
  /** When the last ReceiveMessage call answered (epoch ms); undefined before the first. */
  lastPollAt(): number | undefined;
  /** When the oldest message this replica holds (debouncing, waiting for a busy account, being re-audited) was received (epoch ms); undefined when none. */
  oldestPendingAt(): number | undefined;
}

export interface DrillEndedEvent {
  control: string;
  accountId: string;
  /**
   * `proven`, `broken` (fired but not delivered), `not-run` (stopped before firing), or a refusal at
   * request time: `refused-chain-broken`, `refused-busy`, `refused-alarm`.
   */
  outcome: string;
  /** `complete`, `leftovers` (the cleanup could not remove something), `none` (refused: nothing was made). */
  cleanup: 'complete' | 'leftovers' | 'none';
  /** The run was taken over after its replica was interrupted (the resume scan). */
  resumed: boolean;
  /** The run, from taking the account to the end of the cleanup (0 for a refusal). */
  durationMs: number;
}

export interface ExceptionEvent {
  control: string;
  accountId: string;
  /** `granted` (stored when its approval ran) or `revoked` (the compare-and-set that won). */
  change: 'granted' | 'revoked';
}

/** An accepted exception as the gauges count it. */
export interface ExceptionFact {
  control: string;
  accountId: string;
  expiresAt: string;
}

/**
 * Where the exception gauges are read from at scrape time: the store every replica shares, so every
 * replica reports the same counts whoever granted or revoked them.
 */
export interface ExceptionSource {
  /** The exceptions valid at `now` (not revoked, not expired). */
  valid(now: Date): Promise<readonly ExceptionFact[]>;
  now(): Date;
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
  driftEvent(outcome: DriftEventOutcome): void;
  driftPollError(): void;
  driftReaudit(event: DriftReauditEvent): void;
  driftAlert(event: DriftAlertEvent): void;
  /** The poller whose state the stuck-pipeline gauges report (the latest one given). */
  watchDriftPoller(probe: DriftPollerProbe): void;
  drillEnded(event: DrillEndedEvent): void;
  exceptionChanged(event: ExceptionEvent): void;
  /** Where the exception gauges are read at scrape time (the latest one given). */
  watchExceptions(source: ExceptionSource): void;
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
  driftEvent: ignore,
  driftPollError: ignore,
  driftReaudit: ignore,
  driftAlert: ignore,
  watchDriftPoller: ignore,
  drillEnded: ignore,
  exceptionChanged: ignore,
  watchExceptions: ignore,
});
