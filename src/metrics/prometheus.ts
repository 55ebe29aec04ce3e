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

  const audits = new Counter({
    name: METRIC_NAMES.audits,
    help: 'Account audits recorded, by control, trigger and result (compliant, non_compliant, error).',
    labelNames: withAccount(['control', 'trigger', 'result']),
    registers,
  });
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
  const approvalDecisions = new Counter({
    name: METRIC_NAMES.approvalDecisions,
    help: 'Approval decisions by kind, decision (approve, reject) and outcome (recorded, automatic, or the refusal reason).',
    labelNames: ['kind', 'decision', 'outcome'],
    registers,
  });
  const remediationSteps = new Counter({
    name: METRIC_NAMES.remediationSteps,
    help: 'Remediation steps run, by control, AWS call and status.',
    labelNames: withAccount(['control', 'call', 'status']),
    registers,
  });
  const remediationStepDuration = new Histogram({
    name: METRIC_NAMES.remediationStepDuration,
    help: 'How long remediation steps took, by control, AWS call and status.',
    labelNames: ['control', 'call', 'status'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const digestRuns = new Counter({
    name: METRIC_NAMES.digestRuns,
    help: 'Digest runs by schedule, trigger and outcome (posted, partially-posted, not-posted, nothing-to-post, returned, skipped-duplicate, failed).',
    labelNames: ['schedule', 'trigger', 'outcome'],
    registers,
  });
  const digestRunDuration = new Histogram({
    name: METRIC_NAMES.digestRunDuration,
    help: 'How long digest runs took (audit, remediation, export and posting), by schedule and outcome.',
    labelNames: ['schedule', 'outcome'],
    buckets: [0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers,
  });
  const awsCalls = new Counter({
    name: METRIC_NAMES.awsCalls,
    help: "AWS API calls by service and operation (one per SDK call, the SDK's own retries included).",
    labelNames: withAccount(['service', 'operation']),
    registers,
  });
  const awsCallErrors = new Counter({
    name: METRIC_NAMES.awsCallErrors,
    help: "AWS API calls that failed, by service, operation and AWS's error code.",
    labelNames: withAccount(['service', 'operation', 'code']),
    registers,
  });
  const awsCallDuration = new Histogram({
    name: METRIC_NAMES.awsCallDuration,
    help: 'How long AWS API calls took, by service and operation.',
    labelNames: ['service', 'operation'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const storeOperationDuration = new Histogram({
    name: METRIC_NAMES.storeOperationDuration,
    help: 'Database latency per store operation, by store (sqlite, postgres), operation and result (ok, error).',
    labelNames: ['store', 'operation', 'result'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const chatAckDuration = new Histogram({
    name: METRIC_NAMES.chatAckDuration,
    help: "From a Slack or Teams request's arrival to the last byte of its answer (Slack's 3 s deadline), by platform and HTTP status.",
    labelNames: ['platform', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers,
  });
  const chatRequestDuration = new Histogram({
    name: METRIC_NAMES.chatRequestDuration,
    help: "The core's work on a chat command or click (after the ack on Slack), by platform, request and result.",
    labelNames: ['platform', 'request', 'result'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });

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
