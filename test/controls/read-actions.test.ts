/**
 * The registry's contract, against the sandbox: for every control (walked from the registry), a real audit
 * through the real SDK clients, with the confirmation by logs:TestMetricFilter on, calls exactly the IAM
 * actions its record declares (`readActionsFor(control, { confirmPatterns: true })`): nothing the audit
 * role would be refused, and nothing granted that is never used; and one audit of the whole registry in
 * one pass calls exactly `auditReadActions` of them all (the section's shared alarm read added). Each
 * kind needs a scenario in which the control passes; a kind without one fails here, on purpose. The
 * account's topic is encrypted with a customer managed key that lets CloudWatch publish, so the key's
 * reads are made (and the topic link passes).
 */
import { createAwsAuditor } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import {
  auditReadActions,
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
const KEY_ALIAS = 'alias/cis-alarms';

/** A customer managed key for the topic: the account's IAM decides, and CloudWatch may use it. */
const KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'AllowCloudWatchAlarms',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    },
  ],
};

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
                kms_master_key_id: KEY_ALIAS,
                subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', confirmed: true }],
              },
            ],
            kms_keys: [{ aliases: [KEY_ALIAS], policy: KEY_POLICY }],
            security_hub: { standards: ['cis-aws-foundations-benchmark/v/3.0.0'] },
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
        switch (control.check) {
          case 'security-hub':
            return; // the shared scenario enables Security Hub in the audit region
          default:
            throw new Error(
              `no sandbox scenario for service control ${control.id}: add one here (and its service to the sandbox)`,
            );
        }
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
      expect(calledActions()).toEqual(
        [...new Set(readActionsFor(control, { confirmPatterns: true }))].sort(),
      );
    },
  );

  it('one audit of every control calls exactly their read actions and the shared alarm read', async () => {
    sandbox.resetCalls();
    const ids = [...CONTROLS.keys()];
    const { report } = await createAwsAuditor(config.aws, { session }).auditControls({ controls: ids });
    expect(report.accounts.map((a) => [a.accountId, a.status, a.controls.length])).toEqual([
      [ACCOUNT, 'COMPLIANT', ids.length],
    ]);
    // DescribeAlarmsForMetric is the section's fallback for a region with more alarms than one shared
    // read saves (test/audit/section.test.ts), so a small region does not call it.
    expect(calledActions()).toEqual(
      auditReadActions([...CONTROLS.values()], { confirmPatterns: true }).filter(
        (a) => a !== 'cloudwatch:DescribeAlarmsForMetric',
      ),
    );
  });

  /** The IAM actions of the calls the sandbox saw (STS aside: the hub's own identity). */
  function calledActions(): string[] {
    const called = sandbox.calls
      .filter((c) => c.service !== 'sts')
      .map((c) => `${iamPrefix(c.service)}:${c.operation}`);
    return [...new Set(called)].sort();
  }
});
