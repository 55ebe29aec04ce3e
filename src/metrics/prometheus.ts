/**
 * The metrics port on prom-client: one registry per process (not prom-client's global one, so tests and
 * the demo can hold several), the Node.js default metrics (event-loop lag, heap, GC, CPU) and cis-bot's
 * own, named in `METRIC_NAMES` (README's Metrics section and deploy/grafana/cis-bot.json use exactly these).
 *
 * Account ids are labels only with `metrics.account_labels: true`: a label per account multiplies every
 * series by the number of accounts (an organization has hundreds), and the ids themselves may be
 * sensitive on a shared Prometheus. Without it, per-account facts are summed over accounts.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type {
  ApprovalDecisionEvent,
  AuditRecordedEvent,
  AwsCallEvent,
  ChatAckEvent,
  ChatRequestEvent,
  DigestRunEvent,
  DriftAlertEvent,
  DriftEventOutcome,
  DriftPollerProbe,
  DriftReauditEvent,
  DrillEndedEvent,
  ExceptionEvent,
  ExceptionFact,
  ExceptionSource,
  Metrics,
  RemediationStepEvent,
  StoreOperationEvent,
} from '../core/ports/metrics';

export const METRIC_NAMES = {
  audits: 'cisbot_audits_total',
  findings: 'cisbot_findings',
  approvalDecisions: 'cisbot_approval_decisions_total',
  remediationSteps: 'cisbot_remediation_steps_total',
  remediationStepDuration: 'cisbot_remediation_step_duration_seconds',
  digestRuns: 'cisbot_digest_runs_total',
  digestRunDuration: 'cisbot_digest_run_duration_seconds',
  awsCalls: 'cisbot_aws_calls_total',
  awsCallErrors: 'cisbot_aws_call_errors_total',
  awsCallDuration: 'cisbot_aws_call_duration_seconds',
  storeOperationDuration: 'cisbot_store_operation_duration_seconds',
  chatAckDuration: 'cisbot_chat_ack_duration_seconds',
  chatRequestDuration: 'cisbot_chat_request_duration_seconds',
  driftEvents: 'cisbot_drift_events_total',
  driftPollErrors: 'cisbot_drift_poll_errors_total',
  driftLastPoll: 'cisbot_drift_last_poll_timestamp_seconds',
  driftOldestPendingAge: 'cisbot_drift_oldest_pending_event_age_seconds',
  driftReaudits: 'cisbot_drift_reaudits_total',
  driftAlerts: 'cisbot_drift_alerts_total',
  driftAlertLatency: 'cisbot_drift_alert_latency_seconds',
  drills: 'cisbot_drills_total',
  drillDuration: 'cisbot_drill_duration_seconds',
  exceptionsAccepted: 'cisbot_exceptions_accepted',
  exceptionsExpiringSoon: 'cisbot_exceptions_expiring_soon',
  exceptionChanges: 'cisbot_exception_changes_total',
} as const;

/** `cisbot_exceptions_expiring_soon` counts the valid exceptions that expire within this many days (the digests' warning). */
export const EXCEPTION_EXPIRY_WARNING_DAYS = 14;

export const ACCOUNT_LABEL = 'account_id';

export interface PrometheusMetricsOptions {
  /** `metrics.account_labels`: label per-account series with the account id. Default false. */
  accountLabels?: boolean;
}

/** Metrics on, with the registry `/metrics` serves. */
export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
}

/** Seconds, for an AWS call (a remediation step is one). */
const AWS_CALL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const seconds = (ms: number): number => ms / 1000;
const lower = (status: string): string => status.toLowerCase();

export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const accountLabels = options.accountLabels === true;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const withAccount = (names: string[]): string[] => (accountLabels ? [...names, ACCOUNT_LABEL] : names);
  const account = (accountId: string | undefined): Record<string, string> =>
    accountLabels ? { [ACCOUNT_LABEL]: accountId ?? 'unknown' } : {};
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers });
  const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
    new Histogram({ name, help, labelNames, buckets, registers });

  const audits = counter(
    METRIC_NAMES.audits,
    'Account audits recorded, by control, trigger and result (compliant, non_compliant, error).',
    withAccount(['control', 'trigger', 'result']),
  );
  // The latest verdict of each (control, account) this process recorded; the gauge counts them per status.
  const latest = new Map<string, { control: string; accountId: string; status: string }>();
  new Gauge({
    name: METRIC_NAMES.findings,
    help: 'Accounts per control and status, as of the latest audit this process recorded for each.',
    labelNames: withAccount(['control', 'status']),
    registers,
    collect() {
      this.reset();
      for (const f of latest.values()) {
        this.inc({ control: f.control, status: f.status, ...account(f.accountId) });
      }
    },
  });
  const approvalDecisions = counter(
    METRIC_NAMES.approvalDecisions,
    'Approval decisions by kind, decision (approve, reject) and outcome (recorded, automatic, or the refusal reason).',
    ['kind', 'decision', 'outcome'],
  );
  const remediationSteps = counter(
    METRIC_NAMES.remediationSteps,
    'Remediation steps run, by control, AWS call and status.',
    withAccount(['control', 'call', 'status']),
  );
  const remediationStepDuration = histogram(
    METRIC_NAMES.remediationStepDuration,
    'How long remediation steps took, by control, AWS call and status.',
    ['control', 'call', 'status'],
    AWS_CALL_BUCKETS,
  );
  const digestRuns = counter(
    METRIC_NAMES.digestRuns,
    'Digest runs by schedule, trigger and outcome (posted, partially-posted, not-posted, nothing-to-post, returned, skipped-duplicate, failed).',
    ['schedule', 'trigger', 'outcome'],
  );
  const digestRunDuration = histogram(
    METRIC_NAMES.digestRunDuration,
    'How long digest runs took (audit, remediation, export and posting), by schedule and outcome.',
    ['schedule', 'outcome'],
    [0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800],
  );
  const awsCalls = counter(
    METRIC_NAMES.awsCalls,
    "AWS API calls by service and operation (one per SDK call, the SDK's own retries included).",
    withAccount(['service', 'operation']),
  );
  const awsCallErrors = counter(
    METRIC_NAMES.awsCallErrors,
    "AWS API calls that failed, by service, operation and AWS's error code.",
    withAccount(['service', 'operation', 'code']),
  );
  const awsCallDuration = histogram(
    METRIC_NAMES.awsCallDuration,
    'How long AWS API calls took, by service and operation.',
    ['service', 'operation'],
    AWS_CALL_BUCKETS,
  );
  const storeOperationDuration = histogram(
    METRIC_NAMES.storeOperationDuration,
    'Database latency per store operation, by store (sqlite, postgres), operation and result (ok, error).',
    ['store', 'operation', 'result'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  const chatAckDuration = histogram(
    METRIC_NAMES.chatAckDuration,
    "From a Slack or Teams request's arrival to the last byte of its answer (Slack's 3 s deadline), by platform and HTTP status.",
    ['platform', 'status'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
  );
  const chatRequestDuration = histogram(
    METRIC_NAMES.chatRequestDuration,
    "The core's work on a chat command or click (after the ack on Slack), by platform, request and result.",
    ['platform', 'request', 'result'],
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  );

  const drift = driftMetrics(registers, withAccount, account);
  const drills = drillMetrics(registers, withAccount, account);
  const exceptions = exceptionMetrics(registers, withAccount, account);

  return {
    registry,
    ...drift,
    ...drills,
    ...exceptions,
    auditRecorded(event: AuditRecordedEvent) {
      for (const a of event.accounts) {
        const result = lower(a.status);
        audits.inc({ control: event.control, trigger: event.trigger, result, ...account(a.accountId) });
        latest.set(`${event.control}\u0000${a.accountId}`, {
          control: event.control,
          accountId: a.accountId,
          status: result,
        });
      }
    },
    approvalDecision(event: ApprovalDecisionEvent) {
      approvalDecisions.inc({ kind: event.kind, decision: event.decision, outcome: event.outcome });
    },
    remediationStep(event: RemediationStepEvent) {
      const labels = { control: event.control, call: event.call, status: event.status };
      remediationSteps.inc({ ...labels, ...account(event.accountId) });
      remediationStepDuration.observe(labels, seconds(event.durationMs));
    },
    digestRun(event: DigestRunEvent) {
      digestRuns.inc({ schedule: event.schedule, trigger: event.trigger, outcome: event.outcome });
      digestRunDuration.observe(
        { schedule: event.schedule, outcome: event.outcome },
        seconds(event.durationMs),
      );
    },
    awsCall(event: AwsCallEvent) {
      const labels = { service: event.service, operation: event.operation };
      awsCalls.inc({ ...labels, ...account(event.accountId) });
      if (event.error !== undefined) {
        awsCallErrors.inc({ ...labels, code: event.error, ...account(event.accountId) });
      }
      awsCallDuration.observe(labels, seconds(event.durationMs));
    },
    storeOperation(event: StoreOperationEvent) {
      storeOperationDuration.observe(
        { store: event.store, operation: event.operation, result: event.ok ? 'ok' : 'error' },
        seconds(event.durationMs),
      );
    },
    chatAck(event: ChatAckEvent) {
      chatAckDuration.observe(
        { platform: event.platform, status: String(event.status) },
        seconds(event.durationMs),
      );
    },
    chatRequest(event: ChatRequestEvent) {
      chatRequestDuration.observe(
        { platform: event.platform, request: event.request, result: event.ok ? 'ok' : 'error' },
        seconds(event.durationMs),
      );
    },
  };
}

type Registers = Registry[];
type WithAccount = (names: string[]) => string[];
type AccountLabel = (accountId: string | undefined) => Record<string, string>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Drift alerts: what the poller receives, re-audits and posts, and two gauges read at scrape time to
 * alert on a stuck pipeline: the last answered ReceiveMessage (stale: the poller is not polling; 0 when
 * drift alerts are off, a gauge without labels always has a value) and the age of the oldest message
 * this replica holds (growing: its batches are not being recorded).
 */
function driftMetrics(
  registers: Registers,
  withAccount: WithAccount,
  account: AccountLabel,
): Pick<Metrics, 'driftEvent' | 'driftPollError' | 'driftReaudit' | 'driftAlert' | 'watchDriftPoller'> {
  let probe: DriftPollerProbe | undefined;
  const events = new Counter({
    name: METRIC_NAMES.driftEvents,
    help: 'Drift-alert queue messages received, by outcome (mapped, ignored-foreign, ignored-irrelevant, malformed, deferred).',
    labelNames: ['outcome'],
    registers,
  });
  const pollErrors = new Counter({
    name: METRIC_NAMES.driftPollErrors,
    help: 'ReceiveMessage calls on the drift-alert queue that failed (the poller retries with a backoff).',
    registers,
  });
  new Gauge({
    name: METRIC_NAMES.driftLastPoll,
    help: 'When the drift poller last had an answer from ReceiveMessage (Unix seconds); 0 before the first, or when drift alerts are off.',
    registers,
    collect() {
      this.reset();
      const at = probe?.lastPollAt();
      if (at !== undefined) this.set(at / 1000);
    },
  });
  new Gauge({
    name: METRIC_NAMES.driftOldestPendingAge,
    help: 'Age of the oldest drift-alert message this replica holds (debouncing, waiting for a busy account, being re-audited); 0 when none.',
    registers,
    collect() {
      this.reset();
      if (!probe) return;
      const at = probe.oldestPendingAt();
      this.set(at === undefined ? 0 : Math.max(0, Date.now() - at) / 1000);
    },
  });
  const reaudits = new Counter({
    name: METRIC_NAMES.driftReaudits,
    help: 'Re-audits of an account after drift events, by result (recorded, busy, failed).',
    labelNames: withAccount(['result']),
    registers,
  });
  const alerts = new Counter({
    name: METRIC_NAMES.driftAlerts,
    help: 'Drift alerts posted (a control changed status after a CloudTrail call), by control and transition (broke, recovered).',
    labelNames: withAccount(['control', 'transition']),
    registers,
  });
  const latency = new Histogram({
    name: METRIC_NAMES.driftAlertLatency,
    help: "From this replica's receive of a batch's first SQS message to the return of the re-audit that posted its alert, by transition.",
    labelNames: ['transition'],
    buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120, 300, 900],
    registers,
  });
  return {
    driftEvent(outcome: DriftEventOutcome) {
      events.inc({ outcome });
    },
    driftPollError() {
      pollErrors.inc();
    },
    driftReaudit(event: DriftReauditEvent) {
      reaudits.inc({ result: event.result, ...account(event.accountId) });
    },
    driftAlert(event: DriftAlertEvent) {
      alerts.inc({ control: event.control, transition: event.transition, ...account(event.accountId) });
      latency.observe({ transition: event.transition }, seconds(event.latencyMs));
    },
    watchDriftPoller(watched: DriftPollerProbe) {
      probe = watched;
    },
  };
}

function drillMetrics(
  registers: Registers,
  withAccount: WithAccount,
  account: AccountLabel,
): Pick<Metrics, 'drillEnded'> {
  const drills = new Counter({
    name: METRIC_NAMES.drills,
    help: 'Fire drills by control, outcome (proven, broken, not-run, refused-chain-broken, refused-busy, refused-alarm), cleanup (complete, leftovers, none) and resumed (true after a takeover).',
    labelNames: withAccount(['control', 'outcome', 'cleanup', 'resumed']),
    registers,
  });
  const duration = new Histogram({
    name: METRIC_NAMES.drillDuration,
    help: 'How long fire drills ran (from taking the account to the end of the cleanup), by control and outcome.',
    labelNames: ['control', 'outcome'],
    buckets: [1, 2, 5, 10, 20, 30, 60, 90, 120, 180, 300],
    registers,
  });
  return {
    drillEnded(event: DrillEndedEvent) {
      drills.inc({
        control: event.control,
        outcome: event.outcome,
        cleanup: event.cleanup,
        resumed: String(event.resumed),
        ...account(event.accountId),
      });
      if (event.cleanup !== 'none') {
        duration.observe({ control: event.control, outcome: event.outcome }, seconds(event.durationMs));
      }
    },
  };
}

/**
 * Exceptions: grants and revocations counted where they happen, and the accepted ones counted from the
 * store at scrape time, so replicas sharing PostgreSQL all report the same numbers (a count kept in
 * memory would only know this replica's grants, and not the expiries at all). Both gauges share one read
 * per scrape; a failed read leaves them empty (the store's own latency metric shows the error).
 */
function exceptionMetrics(
  registers: Registers,
  withAccount: WithAccount,
  account: AccountLabel,
): Pick<Metrics, 'exceptionChanged' | 'watchExceptions'> {
  let source: ExceptionSource | undefined;
  let reading: Promise<{ facts: readonly ExceptionFact[]; now: number } | undefined> | undefined;
  const read = () => {
    const from = source;
    if (!from) return Promise.resolve(undefined);
    reading ??= (async () => {
      try {
        const now = from.now();
        return { facts: await from.valid(now), now: now.getTime() };
      } catch {
        return undefined;
      }
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const perControl = (facts: readonly ExceptionFact[]) => {
    const counts = new Map<string, { labels: Record<string, string>; n: number }>();
    for (const f of facts) {
      const labels = { control: f.control, ...account(f.accountId) };
      const key = JSON.stringify(labels);
      const entry = counts.get(key) ?? { labels, n: 0 };
      entry.n++;
      counts.set(key, entry);
    }
    return counts.values();
  };
  new Gauge({
    name: METRIC_NAMES.exceptionsAccepted,
    help: 'Accepted exceptions valid now (not revoked, not expired), by control, read from the store at scrape time.',
    labelNames: withAccount(['control']),
    registers,
    async collect() {
      const got = await read();
      this.reset();
      for (const { labels, n } of perControl(got?.facts ?? [])) this.set(labels, n);
    },
  });
  new Gauge({
    name: METRIC_NAMES.exceptionsExpiringSoon,
    help: `Accepted exceptions valid now that expire within ${EXCEPTION_EXPIRY_WARNING_DAYS} days, by control, read from the store at scrape time.`,
    labelNames: withAccount(['control']),
    registers,
    async collect() {
      const got = await read();
      this.reset();
      if (!got) return;
      const horizon = got.now + EXCEPTION_EXPIRY_WARNING_DAYS * DAY_MS;
      const soon = got.facts.filter((f) => Date.parse(f.expiresAt) <= horizon);
      for (const { labels, n } of perControl(soon)) this.set(labels, n);
    },
  });
  const changes = new Counter({
    name: METRIC_NAMES.exceptionChanges,
    help: 'Accepted exceptions granted (stored when their approval ran) and revoked, by control and change.',
    labelNames: withAccount(['control', 'change']),
    registers,
  });
  return {
    exceptionChanged(event: ExceptionEvent) {
      changes.inc({ control: event.control, change: event.change, ...account(event.accountId) });
    },
    watchExceptions(watched: ExceptionSource) {
      source = watched;
    },
  };
}
