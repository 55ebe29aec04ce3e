/**
 * The registry's contract, against the sandbox: for every control (walked from the registry), a real audit
 * through the real SDK clients, with the confirmation by logs:TestMetricFilter on, calls exactly the IAM
 * actions its record declares (`readActionsFor(control, { confirmPatterns: true })`): nothing the audit
 * role would be refused, and nothing granted that is never used. Each kind needs a scenario in which the
 * control passes; a kind without one fails here, on purpose.
 */
import { createAwsAuditor } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import {
  CONTROLS,
  type Control,
  type MetricFilterControl,
  metricFilterControls,
  readActionsFor,
  unhandledKind,
} from '../../src/core/controls';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-2';
const TOPIC = 'cis-security-alarms';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:${TOPIC}`;

/** The IAM service prefix of a call the sandbox recorded by its signing name (CloudWatch signs as `monitoring`). */
const iamPrefix = (service: string) => (service === 'monitoring' ? 'cloudwatch' : service);

/** One account in which every chain control of the registry holds: one trail, one log group, one topic. */
function chainScenario(controls: readonly MetricFilterControl[]): Scenario {
  const d = (c: MetricFilterControl) => c.defaults;
  return {
    accounts: [
      {
        id: ACCOUNT,
        regions: {
          [REGION]: {
            trails: [{ name: 'main', log_group: 'ct-logs' }],
            log_groups: [
              {
                name: 'ct-logs',
                metric_filters: controls.map((c) => ({
                  name: d(c).filterName,
                  pattern: c.pattern,
                  metric_name: d(c).metricName,
                  metric_namespace: d(c).metricNamespace,
                })),
              },
            ],
            alarms: controls.map((c) => ({
              name: d(c).alarmName,
              metric_name: d(c).metricName,
              namespace: d(c).metricNamespace,
              alarm_actions: [TOPIC_ARN],
            })),
            topics: [
              {
                name: TOPIC,
                subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', confirmed: true }],
              },
            ],
          },
        },
      },
    ],
  };
}

describe('read actions of every control = the calls its audit makes (sandbox)', () => {
  let sandbox: Sandbox;
  let session: AwsSession;
  const config = loadConfig({ document: { aws: { region: REGION, confirm_patterns: true } }, env: {} });

  beforeAll(async () => {
    sandbox = await startSandbox({ scenario: chainScenario(metricFilterControls()) });
    session = new AwsSession({
      region: REGION,
      credentials: sandbox.credentialsFor(ACCOUNT),
      clientConfig: { endpoint: sandbox.endpoint, maxAttempts: 1 },
    });
  });

  afterAll(async () => {
    session?.destroy();
    await sandbox?.close();
  });

  /** The scenario a control of this kind passes in: where its audit reads every link it can. */
  function ready(control: Control): void {
    switch (control.kind) {
      case 'metric-filter-chain':
        return; // the shared scenario holds every chain control
      case 'service':
        throw new Error(
          `no sandbox scenario for service control ${control.id}: add one here (and its service to the sandbox)`,
        );
      default:
        unhandledKind(control);
    }
  }

  it.each([...CONTROLS.values()].map((c) => [c.id, c] as const))(
    '%s: the audit calls exactly its declared read actions',
    async (id, control) => {
      ready(control);
      sandbox.resetCalls();
      const { report } = await createAwsAuditor(config.aws, { session }).audit({ control: id });
      expect(report.accounts.map((f) => `${f.accountId} ${f.status}: ${f.reason}`)).toEqual([
        expect.stringMatching(new RegExp(`^${ACCOUNT} COMPLIANT: `)),
      ]);
      const called = new Set(
        sandbox.calls.filter((c) => c.service !== 'sts').map((c) => `${iamPrefix(c.service)}:${c.operation}`),
      );
      expect([...called].sort()).toEqual(
        [...new Set(readActionsFor(control, { confirmPatterns: true }))].sort(),
      );
    },
  );
});
