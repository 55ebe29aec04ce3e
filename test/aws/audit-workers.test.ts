/**
 * The audit worker pool (src/aws/audit-workers.ts) against the sandbox's generated organization, real
 * SDK clients in real worker threads: the same report as in-process (every verdict, the API call count,
 * one progress event per account), every AWS call counted in this thread's metrics, every account's row
 * even when a worker is stopped mid-run, and the runs that stay in-process (workers off, small runs,
 * sessions a worker cannot make again). aws.audit_workers is validated with a clear message.
 */
import type { Worker } from 'node:worker_threads';
import { auditWorkerCount } from '../../src/aws/audit-workers';
import { runControlsAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import { selectControls } from '../../src/core/controls';
import type { ControlsReport } from '../../src/core/evaluate/controls-report';
import type { AuditProgressEvent } from '../../src/core/ports/audit-progress';
import type { LogFields, Logger } from '../../src/core/ports/logger';
import { type AwsCallEvent, type Metrics, NO_METRICS } from '../../src/core/ports/metrics';
import { type Sandbox, startSandbox } from '../../src/sandbox';

const REGION = 'eu-west-2';
const MGMT = '999988887777';
const MEMBERS = Array.from({ length: 24 }, (_, i) => String(200000000000 + i));
const SECTION = selectControls(['4']);
const CONCURRENCY = 4;

/** An account's row as a report reader sees it (times aside). */
const row = (a: ControlsReport['accounts'][number]) => JSON.stringify({ ...a, checkedAt: undefined });

describe('audit worker pool', () => {
  let sandbox: Sandbox;
  let calls: AwsCallEvent[];
  let session: AwsSession;
  let inProcess: ControlsReport;
  let inProcessCalls: string[];
  const metrics: Metrics = { ...NO_METRICS, awsCall: (event) => void calls.push(event) };
  const warnings: Array<{ msg: string; fields?: LogFields }> = [];
  const ignore = () => undefined;
  const logger: Logger = {
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (msg, fields) => void warnings.push({ msg, ...(fields ? { fields } : {}) }),
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: {
        organization: { management_account: MGMT, generate: { accounts: MEMBERS.length, regions: [REGION] } },
        accounts: [{ id: MGMT, label: 'management' }],
      },
    });
    session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(MGMT),
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
      metrics,
      logger,
    });
    calls = [];
    const started: Worker[] = [];
    ({ report: inProcess } = await runControlsAudit({
      controls: SECTION,
      session,
      region: REGION,
      accounts: MEMBERS,
      concurrency: CONCURRENCY,
      workers: 0,
      onWorker: (w) => started.push(w),
    }));
    inProcessCalls = callKeys();
    expect(started).toHaveLength(0); // aws.audit_workers: 0 stays in-process
  });
  afterAll(async () => {
    session?.destroy();
    await sandbox?.close();
  });

  /**
   * The accounts of `report` whose row differs from the in-process one: [] when every verdict is the
   * same. Each gives, to tell where it came from, the failed AWS calls this thread counted for the
   * account and the sandbox's answers to it other than 200, then the controls that differ (what they got,
   * and the in-process statuses). A whole report's diff was too long to read in CI's output.
   */
  function differingRows(report: ControlsReport) {
    expect(report.accounts.map((a) => a.accountId)).toEqual(inProcess.accounts.map((a) => a.accountId));
    return report.accounts.flatMap((got, i) => {
      const want = inProcess.accounts[i] as ControlsReport['accounts'][number];
      if (row(got) === row(want)) return [];
      const brief = (c: ControlsReport['accounts'][number]['controls'][number] | undefined) =>
        c && { status: c.status, reason: c.reason };
      // The differing controls grouped by what they got (often all 15 chains fail alike); jest prints the
      // keys in alphabetical order, so the calls come before the verdicts.
      const groups = new Map<string, { controls: string[]; expected: string[]; got: unknown }>();
      got.controls.forEach((c, j) => {
        const [mine, theirs] = [brief(c), brief(want.controls[j])];
        const key = JSON.stringify(mine);
        if (key === JSON.stringify(theirs)) return;
        const group = groups.get(key) ?? { controls: [], expected: [], got: mine };
        const expected = theirs?.status ?? 'none';
        group.controls.push(c.control);
        if (!group.expected.includes(expected)) group.expected.push(expected);
        groups.set(key, group);
      });
      return [
        {
          accountId: got.accountId,
          callsFailed: calls.filter((c) => c.accountId === got.accountId && c.error !== undefined),
          sandboxAnswers: sandbox.calls.filter((c) => c.accountId === got.accountId && c.status !== 200),
          status: { got: got.status, expected: want.status },
          verdicts: [...groups.values()],
        },
      ];
    });
  }

  /** The AWS calls counted in this thread, as (account, service, operation, error), sorted. */
  const callKeys = () =>
    calls.map((c) => `${c.accountId ?? 'base'} ${c.service} ${c.operation} ${c.error ?? ''}`).sort();

  async function inWorkers(onProgress?: (event: AuditProgressEvent, workers: Worker[]) => void) {
    calls = [];
    const events: AuditProgressEvent[] = [];
    const started: Worker[] = [];
    const { report } = await runControlsAudit({
      controls: SECTION,
      session,
      region: REGION,
      accounts: MEMBERS,
      concurrency: CONCURRENCY,
      workers: 2,
      onWorker: (w) => started.push(w),
      progress: (event) => {
        events.push(event);
        onProgress?.(event, started);
      },
    });
    return { report, events, started };
  }

  it('gives the in-process report: same verdicts, API calls, one progress event per account, calls counted here', async () => {
    const { report, events, started } = await inWorkers();
    expect(started).toHaveLength(2);
    expect(inProcess.accounts).toHaveLength(MEMBERS.length);
    expect(inProcess.summary).toEqual(report.summary);
    expect(differingRows(report)).toEqual([]);
    expect(report.accounts.map((a) => a.accountId)).toEqual(MEMBERS);
    expect(report.stats.apiCalls).toBe(inProcess.stats.apiCalls);
    expect(report.stats.apiCalls).toBeGreaterThan(MEMBERS.length * 5);
    // Every AWS call the workers made reached this thread's metrics, per account.
    expect(callKeys()).toEqual(inProcessCalls);
    expect(inProcessCalls.length).toBeGreaterThanOrEqual(report.stats.apiCalls ?? Number.NaN);
    // The start, then one event per account, each account once.
    expect(events).toHaveLength(MEMBERS.length + 1);
    expect(events[0]).toMatchObject({ total: MEMBERS.length, done: 0 });
    expect(events.slice(1).map((e) => e.done)).toEqual(MEMBERS.map((_, i) => i + 1));
    expect(new Set(events.slice(1).map((e) => e.last?.accountId))).toEqual(new Set(MEMBERS));
  });

  it('loses no account when a worker stops mid-run: its accounts in flight are audited again here', async () => {
    let stopped = 0;
    const { report, events, started } = await inWorkers((event, workers) => {
      if (event.done === 3 && stopped === 0) {
        stopped++;
        void workers[0]?.terminate();
      }
    });
    expect(stopped).toBe(1);
    expect(warnings).toEqual([
      {
        msg: 'an audit worker stopped: its accounts in flight are audited again in this process',
        fields: { reason: 'exit code 1', accounts: expect.any(Number) },
      },
    ]);
    expect(started).toHaveLength(2);
    expect(differingRows(report)).toEqual([]);
    expect(report.stats.apiCalls).toBeGreaterThanOrEqual(inProcess.stats.apiCalls ?? Number.NaN);
    expect(events.slice(1).map((e) => e.done)).toEqual(MEMBERS.map((_, i) => i + 1));
    expect(new Set(events.slice(1).map((e) => e.last?.accountId))).toEqual(new Set(MEMBERS));
  });

  it("forwards the workers' session warnings to this thread's logger (a refused role session, renewed)", async () => {
    warnings.length = 0;
    sandbox.failNext('logs:DescribeMetricFilters', 'ExpiredTokenException', 1);
    const { report, started } = await inWorkers();
    expect(started).toHaveLength(2);
    expect(differingRows(report)).toEqual([]);
    expect(warnings).toEqual([
      {
        msg: 'AWS refused an assumed-role session: dropped it, assuming the role again',
        fields: {
          accountId: expect.stringMatching(/^2000000000\d\d$/),
          roleArn: expect.stringMatching(/^arn:aws:iam::2000000000\d\d:role\/CisBotAudit$/),
          code: 'ExpiredTokenException',
        },
      },
    ]);
  });

  it('stays in-process for one wave of accounts, and for a session a worker cannot make again', async () => {
    const started: Worker[] = [];
    const small = await runControlsAudit({
      controls: SECTION,
      session,
      region: REGION,
      accounts: MEMBERS.slice(0, CONCURRENCY),
      concurrency: CONCURRENCY,
      workers: 2,
      onWorker: (w) => started.push(w),
    });
    const keys = sandbox.credentialsFor(MGMT);
    const provided = new AwsSession({
      region: REGION,
      credentials: async () => keys, // a provider function cannot be posted to a worker
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
    });
    expect(provided.describe()).toBeUndefined();
    try {
      const { report } = await runControlsAudit({
        controls: SECTION,
        session: provided,
        region: REGION,
        accounts: MEMBERS,
        concurrency: CONCURRENCY,
        workers: 2,
        onWorker: (w) => started.push(w),
      });
      expect(differingRows(report)).toEqual([]);
    } finally {
      provided.destroy();
    }
    expect(started).toHaveLength(0);
    expect(small.report.accounts).toHaveLength(CONCURRENCY);
  });
});

describe('aws.audit_workers', () => {
  const load = (aws: unknown) => loadConfig({ document: { aws }, env: {} });

  it('defaults to auto: one fewer than the cores up to 4, none on 1 or 2 cores', () => {
    expect(load({}).aws.audit_workers).toBe('auto');
    expect(auditWorkerCount('auto', 1)).toBe(0);
    expect(auditWorkerCount('auto', 2)).toBe(0);
    expect(auditWorkerCount('auto', 3)).toBe(2);
    expect(auditWorkerCount('auto', 4)).toBe(3);
    expect(auditWorkerCount('auto', 32)).toBe(4);
    expect(auditWorkerCount(0, 32)).toBe(0);
    expect(load({ audit_workers: 3 }).aws.audit_workers).toBe(3);
  });

  it('rejects anything else with a clear message', () => {
    for (const bad of [17, -1, 1.5, 'many']) {
      expect(() => load({ audit_workers: bad })).toThrow(
        /audit_workers.*"auto" or a whole number of worker threads from 0/s,
      );
    }
  });
});
