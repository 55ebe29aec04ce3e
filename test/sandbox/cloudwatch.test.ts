import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  InvalidNextToken,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  paginateDescribeAlarms,
  ResourceNotFound,
} from '@aws-sdk/client-cloudwatch';
import { XMLParser } from 'fast-xml-parser';
import { type Sandbox, type Scenario, startSandbox } from '../../src/sandbox';
import { baseScenario, caught, clients, MEMBER, RESTRICTED } from './helpers';

let sb: Sandbox;
const MANY = 250;

function scenario(): Scenario {
  const s = baseScenario();
  const region = s.accounts[1]?.regions?.['eu-west-2'];
  for (let i = 0; i < MANY; i++) {
    region?.alarms?.push({
      name: `bulk-${String(i).padStart(3, '0')}`,
      metric_name: `metric-${i % 5}`,
      namespace: i % 2 ? 'Bulk' : 'Other',
    });
  }
  return s;
}

beforeAll(async () => {
  sb = await startSandbox({ scenario: scenario() });
});
afterAll(() => sb.close());

const topic = `arn:aws:sns:eu-west-2:${MEMBER}:cis-alarms`;
const alarmInput: PutMetricAlarmCommandInput = {
  AlarmName: 'cis-4.1',
  AlarmActions: [topic],
  MetricName: 'unauthorized_api_calls_metric',
  Namespace: 'CISBenchmark',
  Statistic: 'Sum',
  Period: 300,
  EvaluationPeriods: 1,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
};

describe('CloudWatch DescribeAlarms', () => {
  it(`follows ${MANY + 1} alarms through the SDK paginator, default pages of 50`, async () => {
    const { cloudwatch } = clients(sb, MEMBER);
    const first = await cloudwatch.send(new DescribeAlarmsCommand({}));
    expect(first.MetricAlarms).toHaveLength(50);
    expect(first.NextToken).toEqual(expect.any(String));
    const sizes: number[] = [];
    const names: string[] = [];
    for await (const page of paginateDescribeAlarms({ client: cloudwatch, pageSize: 100 }, {})) {
      sizes.push(page.MetricAlarms?.length ?? 0);
      names.push(...(page.MetricAlarms ?? []).map((a) => a.AlarmName ?? ''));
    }
    expect(sizes).toEqual([100, 100, 51]);
    expect(new Set(names).size).toBe(MANY + 1);
  });

  it('returns the full alarm shape with timestamps as Dates', async () => {
    const { cloudwatch } = clients(sb, MEMBER);
    const out = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: ['unauthorized-api-calls-alarm'] }),
    );
    expect(out.NextToken).toBeUndefined();
    expect(out.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'unauthorized-api-calls-alarm',
        AlarmArn: `arn:aws:cloudwatch:eu-west-2:${MEMBER}:alarm:unauthorized-api-calls-alarm`,
        ActionsEnabled: true,
        AlarmActions: [topic],
        MetricName: 'unauthorized_api_calls_metric',
        Namespace: 'CISBenchmark',
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        StateValue: 'OK',
        StateUpdatedTimestamp: expect.any(Date),
        Dimensions: [],
      }),
    ]);
  });

  it('filters by names and by prefix, and validates its parameters', async () => {
    const { cloudwatch } = clients(sb, MEMBER);
    const named = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: ['bulk-001', 'bulk-002', 'nope'] }),
    );
    expect(named.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['bulk-001', 'bulk-002']);
    const prefixed = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'bulk-24' }));
    expect(prefixed.MetricAlarms).toHaveLength(10);
    const both = await caught(() =>
      cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'b' })),
    );
    expect(both).toBeInstanceOf(InvalidParameterCombinationException);
    const tooMany = await caught(() => cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 101 })));
    expect(tooMany).toBeInstanceOf(InvalidParameterValueException);
    expect(tooMany.Code).toBe('InvalidParameterValue');
    const badToken = await caught(() => cloudwatch.send(new DescribeAlarmsCommand({ NextToken: 'garbage' })));
    expect(badToken).toBeInstanceOf(InvalidNextToken);
  });
});

describe('CloudWatch DescribeAlarmsForMetric', () => {
  it('matches metric name AND namespace, without pagination', async () => {
    const { cloudwatch } = clients(sb, MEMBER);
    const out = await cloudwatch.send(
      new DescribeAlarmsForMetricCommand({ MetricName: 'metric-1', Namespace: 'Bulk' }),
    );
    expect(out.MetricAlarms).toHaveLength(MANY / 10);
    expect(out.MetricAlarms?.every((a) => a.MetricName === 'metric-1' && a.Namespace === 'Bulk')).toBe(true);
    const cis = await cloudwatch.send(
      new DescribeAlarmsForMetricCommand({ MetricName: 'unauthorized_api_calls_metric', Namespace: 'Wrong' }),
    );
    expect(cis.MetricAlarms).toEqual([]);
    const missing = await caught(() =>
      cloudwatch.send(new DescribeAlarmsForMetricCommand({ MetricName: 'm' } as never)),
    );
    expect(missing).toBeInstanceOf(MissingRequiredParameterException);
  });

  it('answers AccessDenied (403, x-amzn-query-error) in an account that denies it', async () => {
    const { cloudwatch } = clients(sb, RESTRICTED);
    const error = await caught(() =>
      cloudwatch.send(new DescribeAlarmsForMetricCommand({ MetricName: 'm', Namespace: 'Other' })),
    );
    expect(error.name).toBe('AccessDenied');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
    expect(error.message).toContain('is not authorized to perform: cloudwatch:DescribeAlarmsForMetric');
    expect((await cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms).toHaveLength(1);
  });
});

describe('CloudWatch PutMetricAlarm and DeleteAlarms', () => {
  it('creates an alarm in INSUFFICIENT_DATA, replaces it by name keeping its state, and deletes it', async () => {
    const { cloudwatch } = clients(sb, MEMBER);
    await cloudwatch.send(new PutMetricAlarmCommand({ ...alarmInput, Tags: [{ Key: 'k', Value: 'v' }] }));
    const created = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['cis-4.1'] }));
    expect(created.MetricAlarms?.[0]).toMatchObject({
      StateValue: 'INSUFFICIENT_DATA',
      ActionsEnabled: true,
      AlarmActions: [topic],
    });
    const alarm = sb.state.region(MEMBER, 'eu-west-2').alarms.get('cis-4.1');
    if (alarm) alarm.StateValue = 'ALARM';
    await cloudwatch.send(new PutMetricAlarmCommand({ ...alarmInput, ActionsEnabled: false, Threshold: 5 }));
    const replaced = await cloudwatch.send(
      new DescribeAlarmsForMetricCommand({ MetricName: alarmInput.MetricName, Namespace: 'CISBenchmark' }),
    );
    const again = replaced.MetricAlarms?.filter((a) => a.AlarmName === 'cis-4.1');
    expect(again).toEqual([
      expect.objectContaining({ ActionsEnabled: false, Threshold: 5, StateValue: 'ALARM' }),
    ]);
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['cis-4.1'] }));
    expect(
      (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['cis-4.1'] }))).MetricAlarms,
    ).toEqual([]);
  });

  it('validates required and combined members with the modelled exceptions', async () => {
    const { cloudwatch } = clients(sb, MEMBER);
    const put = (over: Record<string, unknown>) =>
      caught(() =>
        cloudwatch.send(new PutMetricAlarmCommand({ ...alarmInput, ...over } as PutMetricAlarmCommandInput)),
      );
    for (const member of [
      'AlarmName',
      'EvaluationPeriods',
      'ComparisonOperator',
      'MetricName',
      'Namespace',
      'Period',
      'Statistic',
      'Threshold',
    ]) {
      const error = await put({ [member]: undefined });
      expect(error).toBeInstanceOf(MissingRequiredParameterException);
      expect(error.message).toBe(`The parameter ${member} is required.`);
    }
    expect(await put({ Period: 45 })).toBeInstanceOf(InvalidParameterValueException);
    expect(await put({ Statistic: 'Median' })).toBeInstanceOf(InvalidParameterValueException);
    expect(await put({ EvaluationPeriods: 0 })).toBeInstanceOf(InvalidParameterValueException);
    expect(await put({ AlarmActions: ['not-an-arn'] })).toBeInstanceOf(InvalidParameterValueException);
    expect(await put({ ExtendedStatistic: 'p99' })).toBeInstanceOf(InvalidParameterCombinationException);
    expect(sb.state.region(MEMBER, 'eu-west-2').alarms.has('cis-4.1')).toBe(false);
  });

  it('deletes nothing when a named alarm does not exist (ResourceNotFound)', async () => {
    const { cloudwatch } = clients(sb, MEMBER);
    const error = await caught(() =>
      cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['bulk-000', 'ghost'] })),
    );
    expect(error).toBeInstanceOf(ResourceNotFound);
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(404);
    expect(sb.state.region(MEMBER, 'eu-west-2').alarms.has('bulk-000')).toBe(true);
  });
});

describe('CloudWatch over the older query protocol', () => {
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'member' });
  const auth = (key: string) =>
    `AWS4-HMAC-SHA256 Credential=${key}/20260101/eu-west-2/monitoring/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;
  const post = (form: Record<string, string>) =>
    fetch(`${sb.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization: auth(sb.credentialsFor(MEMBER).accessKeyId),
      },
      body: new URLSearchParams({ Version: '2010-08-01', ...form }).toString(),
    });

  it('answers DescribeAlarms in XML with members and a NextToken', async () => {
    const res = await post({
      Action: 'DescribeAlarms',
      'AlarmNames.member.1': 'unauthorized-api-calls-alarm',
      'AlarmNames.member.2': 'bulk-010',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const xml = parser.parse(await res.text());
    const response = xml.DescribeAlarmsResponse;
    expect(response['@_xmlns']).toBe('http://monitoring.amazonaws.com/doc/2010-08-01/');
    const alarms = response.DescribeAlarmsResult.MetricAlarms.member;
    expect(alarms.map((a: { AlarmName: string }) => a.AlarmName)).toEqual([
      'bulk-010',
      'unauthorized-api-calls-alarm',
    ]);
    expect(alarms[1].AlarmActions.member).toEqual([topic]);
    expect(alarms[1].StateUpdatedTimestamp).toBe('2025-01-01T00:00:00.000Z');
    const paged = parser.parse(await (await post({ Action: 'DescribeAlarms', MaxRecords: '2' })).text());
    expect(paged.DescribeAlarmsResponse.DescribeAlarmsResult.NextToken).toEqual(expect.any(String));
  });

  it('accepts PutMetricAlarm with .member.N lists and answers errors as XML', async () => {
    const ok = await post({
      Action: 'PutMetricAlarm',
      AlarmName: 'query-alarm',
      MetricName: 'm',
      Namespace: 'CISBenchmark',
      Statistic: 'Sum',
      Period: '300',
      EvaluationPeriods: '1',
      Threshold: '1',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      'AlarmActions.member.1': topic,
      'Dimensions.member.1.Name': 'd',
      'Dimensions.member.1.Value': 'v',
    });
    expect(ok.status).toBe(200);
    expect(parser.parse(await ok.text()).PutMetricAlarmResponse.ResponseMetadata.RequestId).toEqual(
      expect.any(String),
    );
    expect(sb.state.region(MEMBER, 'eu-west-2').alarms.get('query-alarm')).toMatchObject({
      AlarmActions: [topic],
      Dimensions: [{ Name: 'd', Value: 'v' }],
      Period: 300,
      Threshold: 1,
    });
    const bad = await post({ Action: 'PutMetricAlarm', AlarmName: 'x' });
    expect(bad.status).toBe(400);
    const error = parser.parse(await bad.text()).ErrorResponse.Error;
    expect(error).toEqual({
      Type: 'Sender',
      Code: 'MissingParameter',
      Message: 'The parameter EvaluationPeriods is required.',
    });
    const unknown = await post({ Action: 'FlyToTheMoon' });
    expect(parser.parse(await unknown.text()).ErrorResponse.Error.Code).toBe('InvalidAction');
  });
});
