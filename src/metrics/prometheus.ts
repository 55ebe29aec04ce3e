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
} as const;

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

  return {
    registry,
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
