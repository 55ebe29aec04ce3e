/**
 * The Security Hub export end to end: a real audit through the SDK against the sandbox, then the real
 * @aws-sdk/client-securityhub importing the findings into the sandbox's Security Hub (which stores them,
 * upserts by ProductArn + Id, applies Security Hub's workflow rules, enforces 1..100 findings a call and
 * the ASFF's required members). Then read back with GetFindings, as a person would see them.
 */
import { CloudTrailClient, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { type AwsSecurityFinding, paginateGetFindings, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { stringify } from 'yaml';
import { runAudit } from '../../src/aws/auditor';
import { createSecurityHubAdapter } from '../../src/aws/security-hub';
import { getControl } from '../../src/core/controls/registry';
import { type AuditReport, summarize } from '../../src/core/evaluate/findings';
import { findingId } from '../../src/core/report/finding-id';
import { reportRun } from '../../src/core/report/results';
import { exportToSecurityHub } from '../../src/core/report/security-hub-export';
import { loadScenario } from '../../src/sandbox';
import type { SecurityHubState } from '../../src/sandbox/state';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../src/sandbox-run';

const REGION = 'eu-west-2';
const HUB = '999900000001';
const PROD = '111111111111';
const STAGING = '222222222222';

/** The demo's accounts, with Security Hub enabled in the security (hub) account. */
function scenarioText(): string {
  const scenario = loadScenario(bundledScenario('audit-demo')) as unknown as {
    accounts: Array<{ id: string; regions?: Record<string, unknown> }>;
  };
  const hub = scenario.accounts.find((a) => a.id === HUB);
  if (!hub) throw new Error('no hub account in the demo scenario');
  hub.regions = { [REGION]: { security_hub: { standards: [] } } };
  return stringify(scenario);
}

let sandboxRun: SandboxRun;
beforeAll(async () => {
  sandboxRun = await startSandboxRun(scenarioText(), { roleAccounts: [PROD, STAGING] });
});
afterAll(() => sandboxRun.close());

const hubState = () => sandboxRun.sandbox.state.region(HUB, REGION).securityHub as SecurityHubState;
const importCalls = () => sandboxRun.sandbox.calls.filter((c) => c.operation === 'BatchImportFindings');

async function auditAndExport(accounts: string[]) {
  const outcome = await runAudit({
    control: getControl('4.1'),
    session: sandboxRun.session,
    region: REGION,
    accounts,
    labels: sandboxRun.labels,
  });
  const port = createSecurityHubAdapter(sandboxRun.session, REGION);
  try {
    return {
      report: outcome.report,
      summary: await exportToSecurityHub(port, reportRun(outcome.report), { backoffMs: 1 }),
    };
  } finally {
    port.destroy();
  }
}

async function storedFindings(): Promise<AwsSecurityFinding[]> {
  const client = new SecurityHubClient({
    endpoint: sandboxRun.sandbox.endpoint,
    region: REGION,
    credentials: sandboxRun.sandbox.credentialsFor(HUB),
  });
  const all: AwsSecurityFinding[] = [];
  for await (const page of paginateGetFindings({ client }, {})) all.push(...(page.Findings ?? []));
  client.destroy();
  return all;
}

describe('Security Hub export', () => {
  beforeEach(() => {
    hubState().findings.clear();
    sandboxRun.sandbox.resetCalls();
  });

  it('imports one finding per account into the hub, then updates the same ids; a fixed account turns PASSED / RESOLVED', async () => {
    const first = await auditAndExport([PROD, STAGING]);
    expect(first.summary).toMatchObject({
      findings: 2,
      imported: 2,
      failed: [],
      hub: { accountId: HUB, region: REGION },
    });
    const before = await storedFindings();
    expect(before.map((f) => [f.Id, f.Compliance?.Status, f.Workflow?.Status]).sort()).toEqual([
      [findingId('4.1', PROD), 'PASSED', 'RESOLVED'],
      [findingId('4.1', STAGING), 'FAILED', 'NEW'],
    ]);
    const staging = before.find((f) => f.Id === findingId('4.1', STAGING));
    expect(staging).toMatchObject({
      AwsAccountId: HUB,
      ProductArn: `arn:aws:securityhub:${REGION}:${HUB}:product/${HUB}/default`,
      Resources: [expect.objectContaining({ Type: 'AwsAccount', Id: `AWS::::Account:${STAGING}` })],
    });

    // Someone fixes staging (its trail logs again); the next run updates the same finding.
    const cloudtrail = new CloudTrailClient({
      endpoint: sandboxRun.sandbox.endpoint,
      region: REGION,
      credentials: sandboxRun.sandbox.credentialsFor(STAGING),
    });
    await cloudtrail.send(new StartLoggingCommand({ Name: 'main' }));
    cloudtrail.destroy();
    const second = await auditAndExport([PROD, STAGING]);
    expect(second.report.accounts.map((a) => a.status)).toEqual(['COMPLIANT', 'COMPLIANT']);
    expect(second.summary).toMatchObject({ imported: 2, failed: [] });
    const after = await storedFindings();
    expect(after).toHaveLength(2);
    const fixed = after.find((f) => f.Id === findingId('4.1', STAGING));
    expect([fixed?.Compliance?.Status, fixed?.Workflow?.Status]).toEqual(['PASSED', 'RESOLVED']);
    // Same finding: created when first seen failing; the PASSED status is observed from this run on.
    expect(fixed?.CreatedAt).toBe(staging?.CreatedAt);
    expect(fixed?.FirstObservedAt).toBe(second.report.finishedAt);
    expect(fixed?.UpdatedAt).toBe(second.report.finishedAt);
    expect(Date.parse(fixed?.UpdatedAt ?? '')).toBeGreaterThan(Date.parse(staging?.UpdatedAt ?? ''));
    const prod = after.find((f) => f.Id === findingId('4.1', PROD));
    // Still passing: first observed at the first run.
    expect(prod?.FirstObservedAt).toBe(first.report.finishedAt);
  });

  it('sends 250 findings in 3 calls of at most 100', async () => {
    const accounts = Array.from({ length: 250 }, (_, i) => ({
      control: '4.1',
      accountId: String(500000000000 + i),
      status: 'NON_COMPLIANT' as const,
      reason: 'No metric filter catches every CIS 4.1 event.',
      brokenLink: 'metric-filter' as const,
      links: [],
      chain: {},
      candidates: 0,
    }));
    const report: AuditReport = {
      control: '4.1',
      controlTitle: 'Ensure unauthorized API calls are monitored',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      region: REGION,
      accounts,
      summary: summarize(accounts),
      stats: { durationMs: 1 },
    };
    const port = createSecurityHubAdapter(sandboxRun.session, REGION);
    const summary = await exportToSecurityHub(port, reportRun(report)).finally(() => port.destroy());
    expect(summary).toMatchObject({ findings: 250, imported: 250, failed: [] });
    expect(summary.calls.batchImportFindings).toBe(3);
    expect(importCalls()).toHaveLength(3);
    expect(importCalls().every((c) => c.status === 200)).toBe(true);
    expect(hubState().findings.size).toBe(250);
  });

  it('reports findings Security Hub refuses, resends only the retryable ones, and imports the rest', async () => {
    hubState().importFaults = [
      { idPrefix: findingId('4.1', STAGING), errorCode: 'InvalidInput', times: 5 },
      { idPrefix: findingId('4.1', PROD), errorCode: 'InternalException', times: 1 },
    ];
    const { summary } = await auditAndExport([PROD, STAGING]);
    expect(summary.imported).toBe(1);
    expect(summary.failed).toEqual([
      expect.objectContaining({ control: '4.1', accountId: STAGING, code: 'InvalidInput', attempts: 1 }),
    ]);
    expect(summary.resent).toBe(1);
    expect(importCalls()).toHaveLength(2);
    expect((await storedFindings()).map((f) => f.Id)).toEqual([findingId('4.1', PROD)]);
    hubState().importFaults = [];
  });

  it('stops at a call refused as a whole and reports every finding as not sent', async () => {
    const state = sandboxRun.sandbox.state.region(HUB, REGION);
    const saved = hubState();
    delete state.securityHub;
    try {
      const { summary } = await auditAndExport([PROD, STAGING]);
      expect(summary.imported).toBe(0);
      expect(summary.failed.map((f) => f.code)).toEqual(['InvalidAccessException', 'InvalidAccessException']);
      expect(summary.stopped).toMatch(
        /Security Hub is not enabled in account 999900000001, region eu-west-2/,
      );
    } finally {
      state.securityHub = saved;
    }
  });
});
