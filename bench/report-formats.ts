/**
 * Report formats and the Security Hub export at organization scale: the time to render 1,000 accounts x 16
 * controls (section 4: 16,000 results, a fifth of them failing, a few not audited) in each format, and the
 * Security Hub calls (and time) to export them to the sandbox's Security Hub, on a first run (empty hub)
 * and on the next run (every finding updated), for 4.1 alone and for 16 controls.
 */
import { stringify } from 'yaml';
import { createSecurityHubAdapter } from '../src/aws/security-hub';
import { CONTROLS } from '../src/core/controls/registry';
import { type AccountFinding, type AuditReport, summarize } from '../src/core/evaluate/findings';
import { type ReportFormat, renderReport } from '../src/core/report/formats';
import { reportRun } from '../src/core/report/results';
import { exportToSecurityHub } from '../src/core/report/security-hub-export';
import { startSandboxRun } from '../src/sandbox-run';

const REGION = 'eu-west-2';
const HUB = { accountId: '999900000001', region: REGION };
const FORMATS: ReportFormat[] = ['sarif', 'ocsf', 'asff', 'csv', 'junit', 'markdown'];

/** Section 4's 16 control ids (the registry's, and 4.16 until issue 18 registers it). */
function sectionControls(): string[] {
  const ids = [...CONTROLS.keys()];
  return ids.includes('4.16') ? ids : [...ids, '4.16'];
}

function finding(control: string, i: number): AccountFinding {
  const accountId = `3${String(i).padStart(11, '0')}`;
  const failing = (i + Number(control.split('.')[1])) % 5 === 0;
  const error = i % 97 === 0;
  return {
    control,
    accountId,
    label: `account-${i}`,
    status: error ? 'ERROR' : failing ? 'NON_COMPLIANT' : 'COMPLIANT',
    reason: error
      ? 'access denied to logs:DescribeMetricFilters: grant logs:DescribeMetricFilters to the role cis-bot uses'
      : failing
        ? `Alarm ${control} has no action: nobody is notified, "quoted", with commas | and pipes.`
        : "Chain holds: trail 'main' -> log group cloudtrail -> filter -> alarm -> topic (confirmed subscriber).",
    ...(error ? { brokenLink: 'log-group' as const } : failing ? { brokenLink: 'alarm' as const } : {}),
    links: [{ link: 'trail', status: 'pass', detail: "Multi-region trail 'main'.", evidence: {} }],
    chain: {},
    candidates: 1,
  };
}

function reports(accounts: number, controls: readonly string[]): AuditReport[] {
  const now = new Date().toISOString();
  return controls.map((control) => {
    const list = Array.from({ length: accounts }, (_, i) => finding(control, i + 1));
    return {
      control,
      controlTitle: `CIS ${control}`,
      startedAt: now,
      finishedAt: now,
      region: REGION,
      accounts: list,
      summary: summarize(list),
      stats: { durationMs: 0 },
    };
  });
}

export async function benchReportRendering(): Promise<void> {
  const run = reportRun(reports(1000, sectionControls()), { name: 'cis-bot', version: 'bench' });
  console.log(`render ${run.results.length} results (1,000 accounts x ${run.controls.length} controls)`);
  for (const format of FORMATS) {
    renderReport(format, run, { hub: HUB }); // warm-up: module load and JIT
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const started = process.hrtime.bigint();
      bytes = renderReport(format, run, { hub: HUB }).length;
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`  ${format.padEnd(9)} median ${times[1]?.toFixed(0)} ms  (${(bytes / 1e6).toFixed(1)} MB)`);
  }
}

export async function benchSecurityHubExport(): Promise<void> {
  const scenario = stringify({
    accounts: [{ id: HUB.accountId, regions: { [REGION]: { security_hub: { standards: [] } } } }],
  });
  for (const controls of [['4.1'], sectionControls()]) {
    const sandboxRun = await startSandboxRun(scenario);
    try {
      const run = reportRun(reports(1000, controls));
      for (const label of ['first run', 'next run']) {
        sandboxRun.sandbox.resetCalls();
        const port = createSecurityHubAdapter(sandboxRun.session, REGION);
        const started = Date.now();
        const summary = await exportToSecurityHub(port, run).finally(() => port.destroy());
        const ms = Date.now() - started;
        console.log(
          `security hub, 1,000 accounts x ${controls.length} control(s), ${label}: ${summary.imported}/${summary.findings} imported, ` +
            `${summary.calls.batchImportFindings} BatchImportFindings + ${summary.calls.getFindings} GetFindings calls, ${ms} ms`,
        );
      }
    } finally {
      await sandboxRun.close();
    }
  }
}
