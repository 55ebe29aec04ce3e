import { DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { DescribeHubCommand, GetEnabledStandardsCommand } from '@aws-sdk/client-securityhub';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { metricFilterControls } from '../../src/core/controls';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { clients, MGMT } from './helpers';

const GENERATED = '200000000042';

function scenario(accounts: number): Scenario {
  return {
    organization: {
      management_account: MGMT,
      generate: { accounts, regions: ['eu-west-2', 'us-east-1'] },
    },
    accounts: [{ id: MGMT, label: 'security' }],
  };
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario(100) });
});
afterAll(() => sb.close());

async function asGenerated(account: string, region: string) {
  const { Credentials: c } = await clients(sb, MGMT).sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/CisBotAudit`, RoleSessionName: 'audit' }),
  );
  return clients(sb, account, {
    region,
    credentials: {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    },
  });
}

describe('a generated account', () => {
  it('has a compliant section-4 chain built from the control registry', async () => {
    const c = await asGenerated(GENERATED, 'eu-west-2');
    const { trailList } = await c.cloudtrail.send(new DescribeTrailsCommand({}));
    expect(trailList).toEqual([
      expect.objectContaining({
        Name: 'cis-trail',
        IsMultiRegionTrail: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:eu-west-2:${GENERATED}:log-group:cis/cloudtrail:*`,
      }),
    ]);
    expect((await c.cloudtrail.send(new GetTrailStatusCommand({ Name: 'cis-trail' }))).IsLogging).toBe(true);
    const controls = metricFilterControls();
    const filters = await c.logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'cis/cloudtrail' }));
    expect(filters.metricFilters?.map((f) => f.filterPattern).sort()).toEqual(
      controls.map((k) => k.pattern).sort(),
    );
    const { MetricAlarms } = await c.cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 100 }));
    expect(MetricAlarms?.map((a) => a.MetricName).sort()).toEqual(
      controls.map((k) => k.defaults.metricName).sort(),
    );
    const topics = new Set(MetricAlarms?.flatMap((a) => a.AlarmActions ?? []));
    expect([...topics]).toEqual([`arn:aws:sns:eu-west-2:${GENERATED}:cis-alarms`]);
    const subs = await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: [...topics][0] }));
    expect(subs.Subscriptions?.[0]?.SubscriptionArn).not.toBe('PendingConfirmation');
  });

  it('has Security Hub enabled in every generated region, the trail shadowed there', async () => {
    const c = await asGenerated('200000000099', 'us-east-1');
    const hub = await c.securityhub.send(new DescribeHubCommand({}));
    expect(hub.HubArn).toBe('arn:aws:securityhub:us-east-1:200000000099:hub/default');
    const standards = await c.securityhub.send(new GetEnabledStandardsCommand({}));
    expect(standards.StandardsSubscriptions?.map((s) => s.StandardsArn)).toContain(
      'arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0',
    );
    const { trailList } = await c.cloudtrail.send(new DescribeTrailsCommand({}));
    expect(trailList?.map((t) => t.HomeRegion)).toEqual(['eu-west-2']);
  });
});

describe('throttling per service, deterministic for a seed', () => {
  /** Six concurrent ListAccounts (retried) and one AssumeRole; the sorted outcome of every attempt. */
  async function throttledRun(seed: number): Promise<string[]> {
    const own = await startSandbox({ scenario: scenario(20), throttle: { organizations: 0.5 }, seed });
    const client = new OrganizationsClient({
      endpoint: own.endpoint,
      region: 'us-east-1',
      credentials: own.credentialsFor(MGMT),
      retryStrategy: new ConfiguredRetryStrategy(12, 1),
    });
    // Concurrent calls: decisions depend on each call's own sequence, not on arrival order.
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        await client.send(new ListAccountsCommand({}));
      }),
    );
    await clients(own, MGMT).sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::200000000005:role/CisBotAudit',
        RoleSessionName: 'audit',
      }),
    );
    const codes = own.calls.map((c) => `${c.service}:${c.errorCode ?? 'ok'}`).sort();
    await own.close();
    client.destroy();
    return codes;
  }

  it('throttles only the named service, with TooManyRequestsException, the same way every run', async () => {
    const first = await throttledRun(5);
    expect(first.filter((c) => c === 'organizations:TooManyRequestsException').length).toBeGreaterThan(0);
    expect(first.filter((c) => c.startsWith('organizations:ok'))).toHaveLength(6);
    expect(first.filter((c) => c.startsWith('sts:'))).toEqual(['sts:ok']);
    expect(await throttledRun(5)).toEqual(first);
  });
});
