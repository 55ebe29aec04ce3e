/**
 * A topic the alarm cannot publish to: the topic link reads the topic's KMS key (DescribeKey resolves an
 * alias, GetKeyPolicy) and fails for the AWS managed key alias/aws/sns, a customer key whose policy lacks
 * cloudwatch.amazonaws.com, or a disabled key, giving the statement CloudWatch needs; it passes for a
 * customer key that has it; a refused GetKeyPolicy is a warning naming the action, never a pass. Each
 * verdict is checked against the sandbox's own delivery: an alarm put in ALARM there reaches the topic
 * exactly when the audit says the topic link holds. In a section audit every chain control fails at the
 * topic.
 */
import { DescribeAlarmHistoryCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { runAudit, runControlsAudit } from '../../src/aws/auditor';
import { AwsSession } from '../../src/aws/session';
import { getControl, metricFilterControls, selectControls } from '../../src/core/controls';
import type { AccountFinding } from '../../src/core/evaluate/findings';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { clients } from '../sandbox/helpers';

const REGION = 'eu-west-2';
const ACCOUNT = '111122223333';
const CIS_41 = getControl('4.1');
const pattern = CIS_41.kind === 'metric-filter-chain' ? CIS_41.pattern : '';

const ROOT = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
};
const CLOUDWATCH = {
  Sid: 'AllowCloudWatchAlarms',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  Resource: '*',
};

interface Case {
  key: string;
  keys?: Array<Record<string, unknown>>;
  denied?: string[];
  /** Every chain control's filter and alarm (all on the one topic), not only 4.1's. */
  section?: boolean;
}

function filters(c: Case) {
  const chain = c.section ? metricFilterControls() : [];
  return c.section
    ? chain.map((x) => ({
        name: x.defaults.filterName,
        pattern: x.pattern,
        metric_name: x.defaults.metricName,
        metric_namespace: 'CIS',
      }))
    : [{ name: 'f', pattern, metric_name: 'm', metric_namespace: 'CIS' }];
}

function scenario(c: Case): Scenario {
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:alarms`;
  return {
    accounts: [
      {
        id: ACCOUNT,
        ...(c.denied ? { denied_actions: c.denied } : {}),
        regions: {
          [REGION]: {
            trails: [{ name: 'main', log_group: 'ct' }],
            log_groups: [{ name: 'ct', metric_filters: filters(c) }],
            alarms: filters(c).map((f, i) => ({
              name: i === 0 ? 'a' : `a-${f.name}`,
              metric_name: f.metric_name,
              namespace: 'CIS',
              alarm_actions: [topicArn],
            })),
            topics: [
              {
                name: 'alarms',
                kms_master_key_id: c.key,
                subscriptions: [{ protocol: 'email', endpoint: 'sec@example.com', confirmed: true }],
              },
            ],
            ...(c.keys ? { kms_keys: c.keys } : {}),
          },
        },
      },
    ],
  };
}

async function withSandbox<T>(c: Case, work: (sb: Sandbox, session: AwsSession) => Promise<T>): Promise<T> {
  const sb = await startSandbox({ scenario: scenario(c) });
  const session = new AwsSession({
    region: REGION,
    credentials: sb.credentialsFor(ACCOUNT),
    clientConfig: { endpoint: sb.endpoint, maxAttempts: 1 },
  });
  try {
    return await work(sb, session);
  } finally {
    session.destroy();
    await sb.close();
  }
}

/** Does an alarm in ALARM reach the topic in the sandbox (its action history says so)? */
async function sandboxDelivers(sb: Sandbox): Promise<boolean> {
  const { cloudwatch } = clients(sb, ACCOUNT);
  await cloudwatch.send(
    new SetAlarmStateCommand({ AlarmName: 'a', StateValue: 'ALARM', StateReason: 'test' }),
  );
  const history = await cloudwatch.send(
    new DescribeAlarmHistoryCommand({ AlarmName: 'a', HistoryItemType: 'Action' }),
  );
  return (history.AlarmHistoryItems ?? []).some((i) => i.HistorySummary?.startsWith('Successfully executed'));
}

async function audit41(c: Case): Promise<{ finding: AccountFinding; delivers: boolean }> {
  return withSandbox(c, async (sb, session) => {
    const { report } = await runAudit({ control: CIS_41, session, region: REGION });
    return { finding: report.accounts[0] as AccountFinding, delivers: await sandboxDelivers(sb) };
  });
}

const topicLink = (f: AccountFinding) => f.links.find((l) => l.link === 'topic');

describe('the topic link reads the topic key', () => {
  it('fails a topic on the AWS managed key alias/aws/sns and shows the statement CloudWatch needs', async () => {
    const { finding, delivers } = await audit41({ key: 'alias/aws/sns' });
    expect(delivers).toBe(false);
    expect(finding).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'topic' });
    expect(finding.reason).toContain('encrypted with the AWS managed key alias/aws/sns');
    expect(finding.reason).toContain('"Principal":{"Service":"cloudwatch.amazonaws.com"}');
    expect(finding.reason).toContain('customer managed key');
    expect(topicLink(finding)?.evidence.kmsKey).toMatchObject({ cloudWatchCanUse: false });
  });

  it('fails a customer key whose policy lacks CloudWatch, naming the statement to add', async () => {
    const { finding, delivers } = await audit41({
      key: 'alias/cis',
      keys: [{ aliases: ['alias/cis'], policy: { Version: '2012-10-17', Statement: [ROOT] } }],
    });
    expect(delivers).toBe(false);
    expect(finding).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'topic' });
    expect(finding.reason).toMatch(
      /does not let CloudWatch use it \(no statement lets cloudwatch\.amazonaws\.com/,
    );
    expect(finding.reason).toContain('aws kms put-key-policy');
  });

  it('fails a disabled key', async () => {
    const { finding, delivers } = await audit41({
      key: 'alias/cis',
      keys: [
        {
          aliases: ['alias/cis'],
          enabled: false,
          policy: { Version: '2012-10-17', Statement: [ROOT, CLOUDWATCH] },
        },
      ],
    });
    expect(delivers).toBe(false);
    expect(finding.reason).toContain("the topic's key alias/cis is Disabled");
  });

  it('passes a customer key whose policy lets CloudWatch use it', async () => {
    const { finding, delivers } = await audit41({
      key: 'alias/cis',
      keys: [{ aliases: ['alias/cis'], policy: { Version: '2012-10-17', Statement: [ROOT, CLOUDWATCH] } }],
    });
    expect(delivers).toBe(true);
    expect(finding.status).toBe('COMPLIANT');
    expect(topicLink(finding)).toMatchObject({ status: 'pass' });
    expect(topicLink(finding)?.evidence.kmsKey).toMatchObject({ cloudWatchCanUse: true, ref: 'alias/cis' });
  });

  it('warns, naming kms:GetKeyPolicy, when the key policy cannot be read: never a pass', async () => {
    const { finding } = await audit41({
      key: 'alias/cis',
      keys: [{ aliases: ['alias/cis'], policy: { Version: '2012-10-17', Statement: [ROOT, CLOUDWATCH] } }],
      denied: ['kms:GetKeyPolicy'],
    });
    const link = topicLink(finding);
    expect(link?.status).toBe('warn');
    expect(link?.detail).toMatch(/its KMS key could not be checked: .*\(grant kms:GetKeyPolicy\)/);
  });

  it('fails the topic of every chain control of a section audit', async () => {
    await withSandbox({ key: 'alias/aws/sns' }, async (_sb, session) => {
      // Each control's filter is 4.1's here, so only 4.1 reaches the topic; its alarms' topic is shared.
      const { report } = await runControlsAudit({
        controls: selectControls(['4.1', '4.16']),
        session,
        region: REGION,
      });
      expect(report.accounts[0]?.controls.map((f) => [f.control, f.status, f.brokenLink])).toEqual([
        ['4.1', 'NON_COMPLIANT', 'topic'],
        ['4.16', 'NON_COMPLIANT', 'security-hub'],
      ]);
    });
  });
});
