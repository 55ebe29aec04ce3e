import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { type CallRecord, type Sandbox, startSandbox } from '../../src/sandbox';
import { alarmInput, baseScenario, caught, clients, MEMBER } from './helpers';

let sb: Sandbox;
const lines: string[] = [];
beforeAll(async () => {
  sb = await startSandbox({ scenario: baseScenario(), seed: 42, log: (line) => lines.push(line) });
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.setFaults({ latencyMs: 0, throttleRate: 0, errorRate: 0 });
  sb.resetCalls();
});

/** Real SDK retries with a 5 ms backoff instead of the ~1 s throttling base, so the test stays fast. */
function retryingClients(maxAttempts: number) {
  const config = {
    endpoint: sb.endpoint,
    region: 'eu-west-2',
    credentials: sb.credentialsFor(MEMBER),
    retryStrategy: new ConfiguredRetryStrategy(maxAttempts, 5),
  };
  return {
    cloudtrail: new CloudTrailClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
    sts: new STSClient(config),
  };
}

const topic = `arn:aws:sns:eu-west-2:${MEMBER}:cis-alarms`;

/** One call per service, one after the other so the seeded fault sequence repeats run to run. */
async function oneOfEach(c: ReturnType<typeof retryingClients>) {
  const attempts: number[] = [];
  const calls = [
    () => c.cloudtrail.send(new DescribeTrailsCommand({})),
    () => c.logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'ct-logs' })),
    () => c.cloudwatch.send(new DescribeAlarmsCommand({})),
    () => c.sns.send(new GetTopicAttributesCommand({ TopicArn: topic })),
    () => c.sts.send(new GetCallerIdentityCommand({})),
  ];
  for (const call of calls) attempts.push((await call()).$metadata.attempts ?? 1);
  return attempts;
}

function countBy(calls: CallRecord[], f: (c: CallRecord) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[f(c)] = (out[f(c)] ?? 0) + 1;
  return out;
}

describe('fault injection', () => {
  it("throttles 30% of calls with each protocol's throttling error; the SDK retries recover", async () => {
    sb.setFaults({ throttleRate: 0.3 });
    const c = retryingClients(10);
    const attempts: number[] = [];
    for (let round = 0; round < 4; round++) attempts.push(...(await oneOfEach(c)));
    expect(attempts).toHaveLength(20);
    const throttled = sb.calls.filter((call) => call.errorCode !== undefined);
    expect(throttled.length).toBeGreaterThan(0);
    expect(attempts.reduce((a, b) => a + b, 0)).toBe(sb.calls.length);
    const codes = countBy(throttled, (call) => `${call.service}:${call.errorCode}`);
    for (const key of Object.keys(codes)) {
      expect([
        'cloudtrail:ThrottlingException',
        'logs:ThrottlingException',
        'monitoring:Throttling',
        'sns:Throttled',
        'sts:Throttling',
      ]).toContain(key);
    }
  });

  it('names throttling the way each SDK client models it (no retries)', async () => {
    sb.setFaults({ throttleRate: 1 });
    const c = clients(sb, MEMBER, { maxAttempts: 1 });
    const names = await Promise.all([
      caught(() => c.cloudtrail.send(new DescribeTrailsCommand({}))),
      caught(() => c.logs.send(new DescribeMetricFiltersCommand({}))),
      caught(() => c.cloudwatch.send(new DescribeAlarmsCommand({}))),
      caught(() => c.sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))),
      caught(() => c.sts.send(new GetCallerIdentityCommand({}))),
    ]);
    expect(names.map((e) => e.name)).toEqual([
      'ThrottlingException',
      'ThrottlingException',
      'Throttling',
      'ThrottledException',
      'Throttling',
    ]);
    expect(names[3]?.$metadata).toMatchObject({ httpStatusCode: 429 });
  });

  it('answers 503 ServiceUnavailable at the error rate; the SDK retries recover', async () => {
    sb.setFaults({ errorRate: 0.4 });
    const c = retryingClients(8);
    const attempts = [...(await oneOfEach(c)), ...(await oneOfEach(c))];
    expect(sb.calls.some((call) => call.status === 503)).toBe(true);
    expect(attempts.reduce((a, b) => a + b, 0)).toBe(sb.calls.length);
    sb.setFaults({ errorRate: 1 });
    const error = await caught(() => clients(sb, MEMBER).logs.send(new DescribeMetricFiltersCommand({})));
    expect(error.name).toBe('ServiceUnavailableException');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(503);
  });

  it('fails the next N calls of one operation with a chosen error, then recovers', async () => {
    const { cloudwatch, cloudtrail } = clients(sb, MEMBER);
    sb.failNext('cloudwatch:PutMetricAlarm', 'LimitExceeded', 2);
    sb.failNext('GetTrailStatus', 'InternalFailure');
    const input = alarmInput('x');
    for (let i = 0; i < 2; i++) {
      const error = await caught(() => cloudwatch.send(new PutMetricAlarmCommand(input)));
      expect(error.name).toBe('LimitExceededFault');
    }
    await cloudwatch.send(new PutMetricAlarmCommand(input));
    const internal = await caught(() => cloudtrail.send(new GetTrailStatusCommand({ Name: 'main' })));
    expect((internal.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(500);
    expect((await cloudtrail.send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging).toBe(true);
    expect(sb.calls.map((call) => [call.operation, call.errorCode ?? call.status])).toEqual([
      ['PutMetricAlarm', 'LimitExceeded'],
      ['PutMetricAlarm', 'LimitExceeded'],
      ['PutMetricAlarm', 200],
      ['GetTrailStatus', 'InternalFailure'],
      ['GetTrailStatus', 200],
    ]);
  });

  it('delays answers by the configured latency and still answers correctly', async () => {
    sb.setFaults({ latencyMs: 20 });
    const { sts } = clients(sb, MEMBER);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(MEMBER);
    expect(sb.calls).toHaveLength(1);
  });
});

describe('call log', () => {
  it('records every call with service, operation, account, region and status, in order', async () => {
    const { cloudtrail, logs, sts } = clients(sb, MEMBER);
    const euWest1 = clients(sb, MEMBER, { region: 'eu-west-1' }).cloudtrail;
    await cloudtrail.send(new DescribeTrailsCommand({}));
    await cloudtrail.send(new GetTrailStatusCommand({ Name: 'main' }));
    await cloudtrail.send(new GetTrailStatusCommand({ Name: 'main' }));
    await euWest1.send(new DescribeTrailsCommand({}));
    await logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'ct-logs' }));
    await caught(() => logs.send(new DescribeMetricFiltersCommand({ logGroupName: 'missing' })));
    await sts.send(new GetCallerIdentityCommand({}));
    expect(countBy(sb.calls, (c) => `${c.service}:${c.operation}`)).toEqual({
      'cloudtrail:DescribeTrails': 2,
      'cloudtrail:GetTrailStatus': 2,
      'logs:DescribeMetricFilters': 2,
      'sts:GetCallerIdentity': 1,
    });
    expect(countBy(sb.calls, (c) => c.region)).toEqual({ 'eu-west-2': 6, 'eu-west-1': 1 });
    expect(sb.calls.every((c) => c.accountId === MEMBER && c.endedAt >= c.startedAt)).toBe(true);
    expect(sb.calls[5]).toMatchObject({ status: 400, errorCode: 'ResourceNotFoundException' });
    const logged = lines.slice(-7).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged[0]).toMatchObject({
      service: 'cloudtrail',
      operation: 'DescribeTrails',
      account: MEMBER,
      region: 'eu-west-2',
    });
    expect(lines.join('\n')).not.toContain('sandbox-secret');
  });

  it('answers unknown operations with UnknownOperationException (JSON) and InvalidAction (query)', async () => {
    const authorization = `AWS4-HMAC-SHA256 Credential=${sb.credentialsFor(MEMBER).accessKeyId}/20260101/eu-west-2/cloudtrail/aws4_request, SignedHeaders=host, Signature=00`;
    const json = await fetch(sb.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'CloudTrail_20131101.DeleteEverything',
        authorization,
      },
      body: '{}',
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'Unknown operation DeleteEverything',
    });
    const query = await fetch(sb.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: authorization.replace('/cloudtrail/', '/sns/'),
      },
      body: 'Action=CreatePlatformEndpoint&Version=2010-03-31',
    });
    expect(query.status).toBe(400);
    expect(await query.text()).toContain('<Code>InvalidAction</Code>');
    expect(sb.calls.map((c) => `${c.service}:${c.operation}:${c.errorCode}`)).toEqual([
      'cloudtrail:DeleteEverything:UnknownOperationException',
      'sns:CreatePlatformEndpoint:InvalidAction',
    ]);
  });
});
