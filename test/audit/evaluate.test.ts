/** The pure parts of the evaluation: selectors, topic policy, alarm arithmetic, and chain choice. */
import { getMetricFilterControl } from '../../src/core/controls';
import { cloudWatchCanPublish, evaluate, managementCoverage } from '../../src/core/evaluate';
import { displayEndpoint } from '../../src/core/evaluate/endpoint-display';
import { dimensionsMatch, firesOnOneEvent } from '../../src/core/evaluate/links';
import type { AccountSnapshot, Alarm, TrailSnapshot } from '../../src/core/snapshot';
import { CIS_41 } from './fixtures';

const basic = (readWriteType: 'All' | 'ReadOnly' | 'WriteOnly', include = true, exclude: string[] = []) => ({
  readWriteType,
  includeManagementEvents: include,
  excludeManagementEventSources: exclude,
  dataResources: [],
});

describe('managementCoverage', () => {
  it('unions basic selectors', () => {
    expect(
      managementCoverage({ basic: [basic('ReadOnly'), basic('WriteOnly')], advanced: [] }),
    ).toMatchObject({ read: true, write: true });
    expect(managementCoverage({ basic: [basic('All', false)], advanced: [] })).toMatchObject({
      read: false,
      write: false,
    });
    expect(managementCoverage({ basic: [], advanced: [] })).toMatchObject({
      read: false,
      write: false,
      kind: 'none',
    });
  });

  it('reads advanced selectors: category, readOnly, and any other restriction', () => {
    const cat = { field: 'eventCategory', equals: ['Management'] };
    expect(managementCoverage({ basic: [], advanced: [{ fieldSelectors: [cat] }] })).toMatchObject({
      read: true,
      write: true,
      kind: 'advanced',
    });
    expect(
      managementCoverage({
        basic: [],
        advanced: [{ fieldSelectors: [cat, { field: 'readOnly', notEquals: ['true'] }] }],
      }),
    ).toMatchObject({ read: false, write: true });
    expect(
      managementCoverage({
        basic: [],
        advanced: [{ fieldSelectors: [cat, { field: 'eventSource', notEquals: ['kms.amazonaws.com'] }] }],
      }),
    ).toMatchObject({ read: false, write: false, excludedSources: ['eventSource != kms.amazonaws.com'] });
    expect(
      managementCoverage({
        basic: [],
        advanced: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }] }],
      }),
    ).toMatchObject({ read: false, write: false });
  });
});

describe('cloudWatchCanPublish', () => {
  const arn = 'arn:aws:sns:eu-west-2:111122223333:t';
  const policy = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  it('accepts AWS default policy (AWS:* limited to the owner) and a CloudWatch service grant', () => {
    const dflt = policy({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['SNS:Publish', 'SNS:Subscribe'],
      Resource: arn,
      Condition: { StringEquals: { 'AWS:SourceOwner': '111122223333' } },
    });
    expect(cloudWatchCanPublish(dflt, arn, '111122223333').allows).toBe(true);
    expect(cloudWatchCanPublish(dflt, arn, '999999999999').allows).toBe(false);
    const svc = policy({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: arn,
    });
    expect(cloudWatchCanPublish(svc, arn, '111122223333').allows).toBe(true);
  });
  it('warns on account-only principals, explicit denies, no policy', () => {
    const root = policy({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'sns:*',
      Resource: arn,
    });
    expect(cloudWatchCanPublish(root, arn, '111122223333')).toMatchObject({ allows: false });
    const deny = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'sns:Publish' },
        {
          Sid: 'no',
          Effect: 'Deny',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
        },
      ],
    });
    expect(cloudWatchCanPublish(deny, arn, '111122223333')).toMatchObject({
      allows: false,
      why: expect.stringMatching(/statement no denies/),
    });
    expect(cloudWatchCanPublish(undefined, arn, '111122223333').allows).toBe(false);
  });
});

describe('alarm arithmetic', () => {
  const alarm = (over: Partial<Alarm>): Alarm => ({
    name: 'a',
    arn: 'arn:aws:cloudwatch:eu-west-2:111122223333:alarm:a',
    actionsEnabled: true,
    alarmActions: [],
    okActions: [],
    insufficientDataActions: [],
    dimensions: [],
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 1,
    ...over,
  });
  it('fires on one event with the CIS settings, not with a high threshold or several periods', () => {
    expect(firesOnOneEvent(alarm({}), '1').fires).toBe(true);
    expect(firesOnOneEvent(alarm({ threshold: 5 }), '1').fires).toBe(false);
    expect(firesOnOneEvent(alarm({ comparisonOperator: 'GreaterThanThreshold' }), '1').fires).toBe(false);
    expect(firesOnOneEvent(alarm({ evaluationPeriods: 3, datapointsToAlarm: 3 }), '1').fires).toBe(false);
    expect(firesOnOneEvent(alarm({ comparisonOperator: 'LessThanThreshold' }), '1').fires).toBe(false);
  });
  const sum = (over: Partial<Alarm> = {}) => alarm({ statistic: 'Sum', period: 300, ...over });
  it.each([
    // [what, alarm, metric value, default value, firing, why]
    ['the CIS seed', sum(), '1', undefined, 'fires', /^$/],
    [
      'LessThanThreshold 1',
      sum({ comparisonOperator: 'LessThanThreshold' }),
      '1',
      undefined,
      'never',
      /below the threshold 1 \(LessThanThreshold\).*Sum 1 and more events only raise it/,
    ],
    [
      'LessThanOrEqualToThreshold 0',
      sum({ comparisonOperator: 'LessThanOrEqualToThreshold', threshold: 0 }),
      '1',
      undefined,
      'never',
      /wrong way/,
    ],
    [
      'metric value 0, Sum >= 1',
      sum(),
      '0',
      undefined,
      'never',
      /emits metric value 0 per matching event, so their Sum is never at or above the threshold 1/,
    ],
    [
      'Sum >= 5',
      sum({ threshold: 5 }),
      '1',
      undefined,
      'never',
      /one matching event gives Sum 1, not at or above the threshold 5 .*takes 5 matching events within one 300-second period/,
    ],
    [
      'Sum > 1',
      sum({ comparisonOperator: 'GreaterThanThreshold' }),
      '1',
      undefined,
      'never',
      /takes 2 matching events/,
    ],
    ['Sum >= 1 with metric value 0.5', sum(), '0.5', undefined, 'never', /takes 2 matching events/],
    [
      'Sum > 0 with metric value 0.5',
      sum({ comparisonOperator: 'GreaterThanThreshold', threshold: 0 }),
      '0.5',
      undefined,
      'fires',
      /^$/,
    ],
    [
      'SampleCount >= 1 with metric value 0',
      alarm({ statistic: 'SampleCount' }),
      '0',
      undefined,
      'fires',
      /^$/,
    ],
    [
      'SampleCount >= 3',
      alarm({ statistic: 'SampleCount', threshold: 3 }),
      '1',
      undefined,
      'never',
      /takes 3 matching events/,
    ],
    [
      'Average >= 2',
      alarm({ statistic: 'Average', threshold: 2 }),
      '1',
      undefined,
      'never',
      /Average is 1 however many events arrive, never at or above the threshold 2/,
    ],
    ['Maximum >= 1', alarm({ statistic: 'Maximum' }), '1', undefined, 'fires', /^$/],
    ['p99 >= 1', alarm({ extendedStatistic: 'p99' }), '1', undefined, 'fires', /^$/],
    ['Sum >= 1 with default value 0', sum(), '1', 0, 'fires', /^$/],
    [
      'Average >= 1 with default value 0 (busy periods dilute it)',
      alarm({ statistic: 'Average' }),
      '1',
      0,
      'depends',
      /depends on the traffic: 1 alone \(alarms\), about 0\.0+1 in a busy period \(does not alarm\)/,
    ],
    ['Maximum >= 1 with default value 0', alarm({ statistic: 'Maximum' }), '1', 0, 'fires', /^$/],
    [
      'Minimum >= 1 with default value 0',
      alarm({ statistic: 'Minimum' }),
      '1',
      0,
      'depends',
      /depends on the traffic/,
    ],
    [
      'LessThanThreshold 5: one event alarms, a burst does not',
      sum({ comparisonOperator: 'LessThanThreshold', threshold: 5 }),
      '1',
      undefined,
      'depends',
      /one matching event does, but 5 or more in one period do not/,
    ],
    [
      '3 of 3 datapoints',
      sum({ evaluationPeriods: 3, datapointsToAlarm: 3 }),
      '1',
      undefined,
      'depends',
      /needs 3 breaching periods \(of 3\)/,
    ],
    ['1 of 3 datapoints', sum({ evaluationPeriods: 3, datapointsToAlarm: 1 }), '1', undefined, 'fires', /^$/],
    [
      '2 evaluation periods (DatapointsToAlarm unset)',
      sum({ evaluationPeriods: 2 }),
      '1',
      undefined,
      'depends',
      /needs 2 breaching periods/,
    ],
    [
      '3 of 3 datapoints that never breach',
      sum({ evaluationPeriods: 3, threshold: 5 }),
      '1',
      undefined,
      'never',
      /takes 5/,
    ],
    [
      'metric value read from the event',
      sum(),
      '$.count',
      undefined,
      'depends',
      /metric value \$\.count is read from each event/,
    ],
    [
      'anomaly band',
      sum({ comparisonOperator: 'GreaterThanUpperThreshold' }),
      '1',
      undefined,
      'depends',
      /anomaly-detection band/,
    ],
    [
      'missing data treated as breaching',
      sum({ treatMissingData: 'breaching' }),
      '1',
      undefined,
      'depends',
      /sits in ALARM/,
    ],
    [
      'trimmed mean',
      alarm({ extendedStatistic: 'tm99' }),
      '1',
      undefined,
      'depends',
      /statistic tm99 is not one cis-bot can evaluate/,
    ],
  ] as const)('%s', (_what, a, value, dflt, firing, why) => {
    const out = firesOnOneEvent(a, value, dflt);
    expect(out.firing).toBe(firing);
    expect(out.fires).toBe(firing === 'fires');
    expect(out.why).toMatch(why);
  });
  it('matches dimensions only when neither side has any (a dimensioned filter splits its metric)', () => {
    const t = { metricName: 'm', metricNamespace: 'n', metricValue: '1', dimensions: {} };
    expect(dimensionsMatch(alarm({}), t)).toBe(true);
    expect(dimensionsMatch(alarm({ dimensions: [{ name: 'x', value: 'y' }] }), t)).toBe(false);
    const split = { ...t, dimensions: { UserName: '$.userIdentity.userName' } };
    expect(dimensionsMatch(alarm({ dimensions: [{ name: 'UserName', value: 'alice' }] }), split)).toBe(false);
  });
});

describe('evaluate (pure, on hand-built snapshots)', () => {
  const control = getMetricFilterControl('4.1');
  const id = '111122223333';
  const trail = (name: string, over: Partial<TrailSnapshot> = {}): TrailSnapshot => ({
    trail: {
      name,
      arn: `arn:aws:cloudtrail:eu-west-2:${id}:trail/${name}`,
      homeRegion: 'eu-west-2',
      ownerAccountId: id,
      isMultiRegion: true,
      isOrganizationTrail: false,
      logGroupArn: `arn:aws:logs:eu-west-2:${id}:log-group:${name}:*`,
    },
    status: { ok: true, value: { isLogging: true } },
    selectors: { ok: true, value: { basic: [basic('All')], advanced: [] } },
    ...over,
  });
  const snapshot = (trails: TrailSnapshot[], logGroups: AccountSnapshot['logGroups']): AccountSnapshot => ({
    accountId: id,
    auditRegion: 'eu-west-2',
    startedAt: '2030-01-01T00:00:00Z',
    finishedAt: '2030-01-01T00:00:01Z',
    access: { ok: true, value: { via: 'current-credentials' } },
    trails: { ok: true, value: trails },
    logGroups,
    metricAlarms: {},
    topics: {},
    apiCalls: 0,
  });
  const lg = (name: string, filters: AccountSnapshot['logGroups'][string]['filters']) => ({
    [`arn:aws:logs:eu-west-2:${id}:log-group:${name}`]: {
      ref: {
        arn: `arn:aws:logs:eu-west-2:${id}:log-group:${name}`,
        accountId: id,
        region: 'eu-west-2',
        name,
        partition: 'aws',
      },
      filters,
    },
  });

  it('ranks a chain that might hold (error) above a chain that is broken, and says ERROR', () => {
    const snap = snapshot([trail('a'), trail('b')], {
      ...lg('a', { ok: true, value: [] }),
      ...lg('b', {
        ok: false,
        error: { kind: 'access-denied', action: 'logs:DescribeMetricFilters', message: 'denied' },
      }),
    });
    const f = evaluate(control, snap);
    expect(f).toMatchObject({ status: 'ERROR', brokenLink: 'log-group', chain: { trailName: 'b' } });
    expect(f.links.at(-1)).toMatchObject({ status: 'error', action: 'logs:DescribeMetricFilters' });
  });

  it('a failing link after an error makes the chain definitely broken', () => {
    const snap = snapshot(
      [
        trail('a', {
          status: {
            ok: false,
            error: { kind: 'access-denied', action: 'cloudtrail:GetTrailStatus', message: 'no' },
          },
        }),
      ],
      lg('a', { ok: true, value: [] }),
    );
    const f = evaluate(control, snap);
    expect(f).toMatchObject({ status: 'NON_COMPLIANT', brokenLink: 'metric-filter' });
    expect(f.links.map((l) => l.status)).toEqual(['pass', 'error', 'pass', 'pass', 'fail']);
  });

  it('an unparseable filter pattern fails with the parse error as evidence', () => {
    const snap = snapshot(
      [trail('a')],
      lg('a', {
        ok: true,
        value: [
          {
            name: 'bad',
            pattern: '{ $.errorCode = ',
            logGroupName: 'a',
            transformations: [{ metricName: 'm', metricNamespace: 'n', metricValue: '1', dimensions: {} }],
          },
        ],
      }),
    );
    const f = evaluate(control, snap);
    expect(f.brokenLink).toBe('metric-filter');
    expect(f.reason).toMatch(/'bad', its pattern does not parse/);
    expect(f.links.at(-1)?.evidence).toMatchObject({ filters: [{ verdict: 'SYNTAX_ERROR' }] });
  });

  it('a covering filter whose alarms were not read is an error, never a pass', () => {
    const snap = snapshot(
      [trail('a')],
      lg('a', {
        ok: true,
        value: [
          {
            name: 'cis',
            pattern: CIS_41,
            logGroupName: 'a',
            transformations: [{ metricName: 'm', metricNamespace: 'n', metricValue: '1', dimensions: {} }],
          },
        ],
      }),
    );
    expect(evaluate(control, snap)).toMatchObject({ status: 'ERROR', brokenLink: 'alarm' });
  });

  it('an unreachable account is an ERROR with the reason', () => {
    const snap: AccountSnapshot = {
      ...snapshot([], {}),
      access: {
        ok: false,
        error: { kind: 'access-denied', action: 'sts:AssumeRole', message: 'cannot assume X' },
      },
    };
    expect(evaluate(control, snap)).toMatchObject({
      status: 'ERROR',
      links: [],
      reason: expect.stringMatching(/cannot assume X \(sts:AssumeRole\)/),
    });
  });
});

describe('subscription endpoints in findings', () => {
  // Findings are shown in chat at any level a user asks for: webhook paths and queries carry secrets.
  it('keeps only the origin of a web endpoint and the last digits of a phone number', () => {
    expect(
      displayEndpoint('https', 'https://events.pagerduty.com/integration/0123456789abcdef/enqueue'),
    ).toBe('https://events.pagerduty.com/…');
    expect(displayEndpoint('https', 'https://hooks.example.com/')).toBe('https://hooks.example.com');
    expect(displayEndpoint('https', 'not a url')).toBe('https endpoint');
    expect(displayEndpoint('sms', '+447700900123')).toBe('…0123');
    expect(displayEndpoint('email', 'secops@example.com')).toBe('secops@example.com');
    expect(displayEndpoint('sqs', 'arn:aws:sqs:eu-west-2:111122223333:q')).toBe(
      'arn:aws:sqs:eu-west-2:111122223333:q',
    );
  });
});
