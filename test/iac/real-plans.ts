/**
 * Real remediation plans for the IaC tests: a sandbox scenario served over loopback, audited through the
 * real SDK clients (AssumeRole into each member account, as `cis-bot demo` does), the planner's extra
 * reads through the AWS remediation runtime, then the pure planner: the same chain of calls as the
 * workflow's `assess`, without a store.
 */
import { join } from 'node:path';
import { createAwsAuditor } from '../../src/aws/auditor';
import { createAwsRemediationRuntime } from '../../src/aws/executor';
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import { getMetricFilterControl } from '../../src/core/controls';
import { NO_FACTS } from '../../src/core/ports/remediation-runtime';
import { type Plan, planRemediation, remediationFactsRequest } from '../../src/core/remediation';
import { loadScenario, type Scenario, startSandbox } from '../../src/sandbox';

export const DEMO_SCENARIO = join(__dirname, '..', '..', 'src', 'sandbox', 'scenarios', 'audit-demo.yaml');

export interface PlanOptions {
  /** `remediation:` settings (default: an SQS subscriber, as the demo configures). */
  remediation?: Record<string, unknown>;
  control?: string;
}

/**
 * Plans for every account of the scenario but the first (the caller, who audits the others through
 * their CisBotAudit role), keyed by account id.
 */
export async function plansForScenario(
  scenario: Scenario,
  options: PlanOptions = {},
): Promise<Map<string, Plan>> {
  const [caller, ...members] = scenario.accounts;
  if (!caller) throw new Error('scenario without accounts');
  const region = Object.keys(members[0]?.regions ?? {})[0] ?? 'us-east-1';
  const sandbox = await startSandbox({ scenario });
  const session = new AwsSession({
    region,
    credentials: sandbox.credentialsFor(caller.id),
    roleAccounts: members.map((m) => m.id),
    clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
  });
  try {
    const config = loadConfig({
      document: {
        aws: { accounts: members.map((m) => m.id), region },
        remediation: options.remediation ?? {
          subscription: { protocol: 'sqs', endpoint: `arn:aws:sqs:${region}:${caller.id}:cis-alarms` },
        },
      },
      env: {},
    });
    const control = getMetricFilterControl(options.control ?? '4.1');
    const outcome = await createAwsAuditor(config.aws, { session }).audit({ control: control.id });
    const runtime = createAwsRemediationRuntime(session);
    const plans = new Map<string, Plan>();
    for (const [i, finding] of outcome.report.accounts.entries()) {
      const snapshot = outcome.snapshots[i];
      if (!snapshot) throw new Error(`no snapshot for ${finding.accountId}`);
      const request = remediationFactsRequest(finding, snapshot, control, config.remediation);
      const facts = request ? await runtime.readFacts(request) : NO_FACTS;
      plans.set(finding.accountId, planRemediation(finding, snapshot, control, config.remediation, facts));
    }
    return plans;
  } finally {
    session.destroy();
    await sandbox.close();
  }
}

export function demoScenario(): Scenario {
  return loadScenario(DEMO_SCENARIO) as Scenario;
}
