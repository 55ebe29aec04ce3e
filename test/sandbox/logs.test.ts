import {
  AccessDeniedException,
  DeleteMetricFilterCommand,
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
  InvalidParameterException,
  LimitExceededException,
  PutMetricFilterCommand,
  paginateDescribeLogGroups,
  paginateDescribeMetricFilters,
  ResourceNotFoundException,
  TestMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { baseScenario, CIS_PATTERN, caught, clients, MEMBER, RESTRICTED } from './helpers';

let sb: Sandbox;
const BIG = 230;

function scenario(): Scenario {
  const s = baseScenario();
  const region = s.accounts[1]?.regions?.['eu-west-2'];
  region?.log_groups?.push({
    name: 'big',
    metric_filters: Array.from({ length: BIG }, (_, i) => ({
      name: `f-${String(i).padStart(3, '0')}`,
      pattern: `{ $.n = ${i} }`,
      metric_name: i % 2 ? 'odd' : 'even',
      metric_namespace: i % 4 < 2 ? 'NS-A' : 'NS-B',
    })),
  });
  return s;
}

beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

const transformation = {
  metricName: 'unauthorized_api_calls_metric',
  metricNamespace: 'CISBenchmark',
  metricValue: '1',
};

describe('Logs DescribeLogGroups', () => {
  it('lists log groups with both ARN forms and their filter counts, paginated', async () => {
    const { logs } = clients(sb, MEMBER);
    const first = await logs.send(new DescribeLogGroupsCommand({ limit: 2 }));
    expect(first.logGroups?.map((g) => g.logGroupName)).toEqual(['app-logs', 'big']);
    expect(first.nextToken).toBeDefined();
    const names: string[] = [];
    for await (const page of paginateDescribeLogGroups({ client: logs, pageSize: 1 }, {}))
      names.push(...(page.logGroups ?? []).map((g) => g.logGroupName ?? ''));
    expect(names).toEqual(['app-logs', 'big', 'ct-logs']);
    const ct = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'ct' }));
    expect(ct.nextToken).toBeUndefined();
    expect(ct.logGroups).toEqual([
      expect.objectContaining({
        logGroupName: 'ct-logs',
        arn: `arn:aws:logs:eu-west-2:${MEMBER}:log-group:ct-logs:*`,
        logGroupArn: `arn:aws:logs:eu-west-2:${MEMBER}:log-group:ct-logs`,
        metricFilterCount: 1,
        creationTime: expect.any(Number),
      }),
    ]);
  });
});

describe('Logs DescribeMetricFilters', () => {
  it(`follows ${BIG} filters through the SDK paginator at limit 50, the last page without a token`, async () => {
    const { logs } = clients(sb, MEMBER);
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of paginateDescribeMetricFilters(
      { client: logs, pageSize: 50 },
      { logGroupName: 'big' },
    )) {
      pages.push(page.metricFilters?.length ?? 0);
      names.push(...(page.metricFilters ?? []).map((f) => f.filterName ?? ''));
    }
    expect(pages).toEqual([50, 50, 50, 50, 30]);
    expect(new Set(names).size).toBe(BIG);
    expect(names).toEqual([...names].sort());
    const calls = sb.calls.filter((c) => c.operation === 'DescribeMetricFilters');
    expect(calls.length).toBeGreaterThanOrEqual(5);
  });

  it('defaults to pages of 50 across all log groups and returns the full filter shape', async () => {
    const { logs } = clients(sb, MEMBER);
    const out = await logs.send(new DescribeMetricFiltersCommand({}));
    expect(out.metricFilters).toHaveLength(50);
    expect(out.nextToken).toEqual(expect.any(String));
    const all: string[] = [];
    for await (const page of paginateDescribeMetricFilters({ client: logs }, {}))
      all.push(...(page.metricFilters ?? []).map((f) => `${f.logGroupName}/${f.filterName}`));
    expect(all).toHaveLength(BIG + 1);
    const cis = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'ct-logs' }));
    expect(cis.nextToken).toBeUndefined();
    expect(cis.metricFilters).toEqual([
      {
        filterName: 'unauthorized-api-calls',
        filterPattern: CIS_PATTERN,
        metricTransformations: [transformation],
        creationTime: expect.any(Number),
        logGroupName: 'ct-logs',
      },
    ]);
  });

  it('filters by name prefix (with a log group) and by metric name plus namespace', async () => {
    const { logs } = clients(sb, MEMBER);
    const prefixed = await logs.send(
      new DescribeMetricFiltersCommand({ logGroupName: 'big', filterNamePrefix: 'f-22' }),
    );
    expect(prefixed.metricFilters?.map((f) => f.filterName)).toEqual(
      Array.from({ length: 10 }, (_, i) => `f-22${i}`),
    );
    const byMetric: string[] = [];
    for await (const page of paginateDescribeMetricFilters(
      { client: logs },
      { metricName: 'odd', metricNamespace: 'NS-B' },
    ))
      byMetric.push(...(page.metricFilters ?? []).map((f) => f.filterName ?? ''));
    // odd i with i % 4 in {2,3}: i % 4 === 3
    expect(byMetric).toHaveLength(Array.from({ length: BIG }, (_, i) => i).filter((i) => i % 4 === 3).length);
    const cis = await logs.send(
      new DescribeMetricFiltersCommand({
        metricName: 'unauthorized_api_calls_metric',
        metricNamespace: 'CISBenchmark',
      }),
    );
    expect(cis.metricFilters?.map((f) => f.logGroupName)).toEqual(['ct-logs']);
    const wrongNamespace = await logs.send(
      new DescribeMetricFiltersCommand({
        metricName: 'unauthorized_api_calls_metric',
        metricNamespace: 'Other',
      }),
    );
    expect(wrongNamespace.metricFilters).toEqual([]);
  });

  it('rejects bad combinations, limits and tokens with InvalidParameterException', async () => {
    const { logs } = clients(sb, MEMBER);
    for (const input of [
      { filterNamePrefix: 'f' },
      { metricName: 'odd' },
      { metricNamespace: 'NS-A' },
      { limit: 0 },
      { limit: 51 },
      { nextToken: 'not-a-token' },
    ]) {
      const error = await caught(() => logs.send(new DescribeMetricFiltersCommand(input)));
      expect(error).toBeInstanceOf(InvalidParameterException);
    }
  });

  it('throws ResourceNotFoundException for a log group that does not exist', async () => {
    const { logs } = clients(sb, MEMBER);
    const error = await caught(() => logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'nope' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('The specified log group does not exist.');
  });

  it('answers AccessDeniedException in an account that denies logs:DescribeMetricFilters', async () => {
    const { logs } = clients(sb, RESTRICTED);
    const error = await caught(() => logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'rt' })));
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toContain(
      `User: arn:aws:iam::${RESTRICTED}:user/cis-bot-sandbox is not authorized to perform: logs:DescribeMetricFilters on resource: arn:aws:logs:eu-west-2:${RESTRICTED}:log-group:rt:*`,
    );
  });
});

describe('Logs PutMetricFilter and DeleteMetricFilter', () => {
  it('creates, replaces by name, and deletes a filter', async () => {
    const { logs } = clients(sb, MEMBER);
    await logs.send(
      new PutMetricFilterCommand({
        logGroupName: 'app-logs',
        filterName: 'cis-4.1',
        filterPattern: '{ $.errorCode = "AccessDenied*" }',
        metricTransformations: [transformation],
      }),
    );
    await logs.send(
      new PutMetricFilterCommand({
        logGroupName: 'app-logs',
        filterName: 'cis-4.1',
        filterPattern: CIS_PATTERN,
        metricTransformations: [{ ...transformation, defaultValue: 0 }],
      }),
    );
    const out = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'app-logs' }));
    expect(out.metricFilters).toHaveLength(1);
    expect(out.metricFilters?.[0]?.filterPattern).toBe(CIS_PATTERN);
    expect(out.metricFilters?.[0]?.metricTransformations).toEqual([{ ...transformation, defaultValue: 0 }]);
    expect(sb.state.region(MEMBER, 'eu-west-2').logGroups.get('app-logs')?.metricFilters.size).toBe(1);
    await logs.send(new DeleteMetricFilterCommand({ logGroupName: 'app-logs', filterName: 'cis-4.1' }));
    expect(
      (await logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'app-logs' }))).metricFilters,
    ).toEqual([]);
    const again = await caught(() =>
      logs.send(new DeleteMetricFilterCommand({ logGroupName: 'app-logs', filterName: 'cis-4.1' })),
    );
    expect(again).toBeInstanceOf(ResourceNotFoundException);
    expect(again.message).toBe('The specified metric filter does not exist.');
  });

  it('requires the log group, a valid pattern and one transformation', async () => {
    const { logs } = clients(sb, MEMBER);
    const put = (over: Record<string, unknown>) =>
      logs.send(
        new PutMetricFilterCommand({
          logGroupName: 'app-logs',
          filterName: 'x',
          filterPattern: '{ $.a = 1 }',
          metricTransformations: [transformation],
          ...over,
        }),
      );
    expect(await caught(() => put({ logGroupName: 'missing' }))).toBeInstanceOf(ResourceNotFoundException);
    for (const filterPattern of [
      '{ $.a = 1',
      '{ ($.a = 1 }',
      '{ a = 1 }',
      '"unterminated',
      'x'.repeat(1025),
    ]) {
      expect(await caught(() => put({ filterPattern }))).toBeInstanceOf(InvalidParameterException);
    }
    expect(await caught(() => put({ metricTransformations: [] }))).toBeInstanceOf(InvalidParameterException);
    expect(await caught(() => put({ filterName: 'bad:name' }))).toBeInstanceOf(InvalidParameterException);
    expect(
      await caught(() => put({ metricTransformations: [{ ...transformation, metricName: 'a*b' }] })),
    ).toBeInstanceOf(InvalidParameterException);
    expect(sb.state.region(MEMBER, 'eu-west-2').logGroups.get('app-logs')?.metricFilters.size).toBe(0);
  });

  it('enforces 100 filters per log group with LimitExceededException (which the SDK retries as throttling)', async () => {
    const { logs } = clients(sb, MEMBER, { maxAttempts: 1 });
    const error = await caught(() =>
      logs.send(
        new PutMetricFilterCommand({
          logGroupName: 'big',
          filterName: 'one-more',
          filterPattern: '',
          metricTransformations: [transformation],
        }),
      ),
    );
    expect(error).toBeInstanceOf(LimitExceededException);
  });
});

describe('Logs TestMetricFilter', () => {
  it('returns the 1-based numbers of the events the CIS 4.1 pattern matches', async () => {
    const { logs } = clients(sb, MEMBER);
    const events = [
      { errorCode: 'AccessDenied', sourceIPAddress: '1.2.3.4', eventName: 'GetObject' },
      { errorCode: 'AccessDenied', sourceIPAddress: 'delivery.logs.amazonaws.com', eventName: 'PutObject' },
      { errorCode: 'Client.UnauthorizedOperation', sourceIPAddress: 'delivery.logs.amazonaws.com' },
      { errorCode: 'AccessDeniedException', eventName: 'HeadBucket', sourceIPAddress: '1.2.3.4' },
      { eventName: 'ListBuckets' },
    ].map((e) => JSON.stringify(e));
    const out = await logs.send(
      new TestMetricFilterCommand({ filterPattern: CIS_PATTERN, logEventMessages: events }),
    );
    expect(out.matches?.map((m) => m.eventNumber)).toEqual([1, 3]);
    expect(out.matches?.[0]?.eventMessage).toBe(events[0]);
    const bad = await caught(() =>
      logs.send(new TestMetricFilterCommand({ filterPattern: '{ $.a = ', logEventMessages: ['{}'] })),
    );
    expect(bad).toBeInstanceOf(InvalidParameterException);
  });
});
