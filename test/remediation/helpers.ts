/**
 * Fixtures of the remediation tests: one compliant base scenario (trail -> log group -> CIS filter ->
 * alarm -> topic -> confirmed subscriber) and the programmatic breakages of its repairable links, plus a
 * harness wiring the real pieces (sandbox over loopback, AwsSession, SQLite store) through the composition
 * root (createCoreServices), as the server and the CLI do.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AwsSession } from '../../src/aws/session';
import { approvalSettings } from '../../src/config/core-settings';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { CoreApprovalKinds, CoreApprovals } from '../../src/core/approval-kinds';
import type { ApprovalWorkflow } from '../../src/core/approvals';
import { ApprovalLedger } from '../../src/core/approvals/ledger';
import type { Actor } from '../../src/core/ports/chat';
import type { Metrics } from '../../src/core/ports/metrics';
import type { Store } from '../../src/core/ports/store';
import type { RemediationAssessor } from '../../src/core/remediation';
import { createCoreServices } from '../../src/runtime';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { openStore, type SqliteStore } from '../../src/store';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-2';
export const CIS_PATTERN =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';
export const FILTER = 'unauthorized_api_calls_metric';
export const METRIC = 'unauthorized_api_calls_metric';
export const ALARM = 'unauthorized_api_calls_alarm';
export const TOPIC = 'cis-security-alarms';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${TOPIC}`;
export const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:security-queue`;

export const ALICE: Actor = { platform: 'cli', userId: 'alice' };
export const BOB_SLACK: Actor = { platform: 'slack', userId: 'U0BOB' };
export const CAROL_SLACK: Actor = { platform: 'slack', userId: 'U0CAROL' };

type Region = NonNullable<Scenario['accounts'][number]['regions']>[string];

export function compliantRegion(): Region {
  return {
    trails: [{ name: 'main', log_group: 'ct-logs' }],
    log_groups: [
      {
        name: 'ct-logs',
        metric_filters: [
          { name: FILTER, pattern: CIS_PATTERN, metric_name: METRIC, metric_namespace: 'CISBenchmark' },
        ],
      },
    ],
    alarms: [{ name: ALARM, metric_name: METRIC, namespace: 'CISBenchmark', alarm_actions: [TOPIC_ARN] }],
    topics: [{ name: TOPIC, subscriptions: [{ protocol: 'sqs', endpoint: QUEUE }] }],
  };
}

export function scenarioWith(region: Region): Scenario {
  return { accounts: [{ id: ACCOUNT, label: 'remediation', regions: { [REGION]: region } }] };
}

/** The account of the base credentials when cis-bot reaches ACCOUNT through its role (`hub` option). */
export const HUB = '999988887777';

/** The scenario seen from a hub account: cis-bot signs in there and assumes CisBotAudit in ACCOUNT. */
export function viaRole(scenario: Scenario): Scenario {
  return {
    ...scenario,
    accounts: [
      { id: HUB, label: 'hub' },
      ...scenario.accounts.map((a) => (a.id === ACCOUNT ? { ...a, roles: [{ name: 'CisBotAudit' }] } : a)),
    ],
  };
}

/** The repairable links, and how each is broken in the base scenario. */
export const BREAKS = {
  filter: (r: Region) => {
    for (const lg of r.log_groups ?? []) lg.metric_filters = [];
  },
  alarm: (r: Region) => {
    r.alarms = [];
  },
  topic: (r: Region) => {
    r.topics = [];
  },
  subscription: (r: Region) => {
    for (const t of r.topics ?? []) t.subscriptions = [];
  },
} as const;
export type BreakName = keyof typeof BREAKS;

/** Every non-empty subset of the repairable links. */
export function allSubsets(): BreakName[][] {
  const names = Object.keys(BREAKS) as BreakName[];
  const out: BreakName[][] = [];
  for (let mask = 1; mask < 1 << names.length; mask++) out.push(names.filter((_, i) => mask & (1 << i)));
  return out;
}

export function brokenScenario(breaks: readonly BreakName[]): Scenario {
  const region = compliantRegion();
  for (const b of breaks) BREAKS[b](region);
  return scenarioWith(region);
}

export function configDoc(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aws: { region: REGION },
    remediation: { subscription: { protocol: 'sqs', endpoint: QUEUE } },
    approvals: { cli: { users: ['alice'] }, slack: { users: ['U0BOB', 'U0CAROL'] } },
    ...overrides,
  };
}

/** The workflow as remediation tests use it: its executions are remediations. */
export type RemediationApprovals = ApprovalWorkflow<Pick<CoreApprovalKinds, 'remediation'>>;

export interface Harness {
  sandbox: Sandbox;
  config: Config;
  session: AwsSession;
  store: SqliteStore;
  /**
   * The one approval workflow, as the composition root builds it, seen as its remediations (the tests
   * here approve only those, so their executions are remediations).
   */
  approvals: RemediationApprovals;
  /** The same workflow with every kind (drills...). */
  workflow: CoreApprovals;
  /** Audits and plans without asking for approval (dry runs). */
  assessor: RemediationAssessor;
  /** The approval state machine over the same store and clock, for looking at what the workflow left. */
  ledger: ApprovalLedger;
  dbPath: string;
  /** Counts of resources in the account/region now (for "no duplicates"). */
  counts(): { filters: number; alarms: number; topics: number; subscriptions: number };
  calls(operation: string): number;
  close(): Promise<void>;
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-remediation-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The services of one process over `store`, built by the composition root, plus a ledger (the approval
 * state machine) over the same store and clock to look at what they left.
 */
export function wireServices(
  config: Config,
  session: AwsSession,
  store: Store,
  options: { now?: () => Date; owner?: string; metrics?: Metrics } = {},
): {
  approvals: RemediationApprovals;
  workflow: CoreApprovals;
  assessor: RemediationAssessor;
  ledger: ApprovalLedger;
} {
  const clock = options.now ? { now: options.now } : {};
  const owner = options.owner ? { owner: options.owner } : {};
  const metrics = options.metrics ? { metrics: options.metrics } : {};
  const { approvals, assessor } = createCoreServices({
    config,
    session,
    store,
    ...clock,
    ...owner,
    ...metrics,
  });
  const ledger = new ApprovalLedger({ store, settings: approvalSettings(config), ...clock, ...owner });
  return { approvals: approvals as unknown as RemediationApprovals, workflow: approvals, assessor, ledger };
}

export async function startHarness(
  scenario: Scenario,
  doc: Record<string, unknown> = configDoc(),
  options: {
    now?: () => Date;
    dbPath?: string;
    owner?: string;
    /** Sign in as HUB and reach ACCOUNT through AssumeRole (use with `viaRole` and aws.accounts). */
    hub?: boolean;
    /** What the services record (default: nothing). */
    metrics?: Metrics;
  } = {},
): Promise<Harness> {
  const sandbox = await startSandbox({ scenario });
  const config = loadConfig({ document: doc, env: {} });
  const session = new AwsSession({
    region: REGION,
    credentials: sandbox.credentialsFor(options.hub ? HUB : ACCOUNT),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  const tmp = options.dbPath ? undefined : tempDir();
  const dbPath = options.dbPath ?? join(tmp?.dir ?? '', 'cis-bot.db');
  const store = openStore(dbPath);
  const { approvals, workflow, assessor, ledger } = wireServices(config, session, store, options);
  const regionState = () => sandbox.state.region(ACCOUNT, REGION);
  return {
    sandbox,
    config,
    session,
    store,
    approvals,
    workflow,
    assessor,
    ledger,
    dbPath,
    counts() {
      const r = regionState();
      return {
        filters: [...r.logGroups.values()].reduce((n, lg) => n + lg.metricFilters.size, 0),
        alarms: r.alarms.size,
        topics: r.topics.size,
        subscriptions: [...r.topics.values()].reduce((n, t) => n + t.subscriptions.length, 0),
      };
    },
    calls(operation) {
      return sandbox.calls.filter((c) => c.operation === operation && c.status < 300).length;
    },
    async close() {
      session.destroy();
      await store.close();
      await sandbox.close();
      tmp?.remove();
    },
  };
}

const TSX = join(resolve(__dirname, '..', '..'), 'node_modules', '.bin', 'tsx');

/** Runs fixtures/crash-worker.ts (a second process that dies mid-execution) with `args`; its exit code. */
export function runCrashWorker(args: unknown): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(TSX, [join(__dirname, 'fixtures', 'crash-worker.ts'), JSON.stringify(args)], {
      cwd: resolve(__dirname, '..', '..'),
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => done({ code, stderr }));
  });
}
