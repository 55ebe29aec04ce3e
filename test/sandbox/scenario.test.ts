import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/errors';
import { loadScenario, parseScenario, startSandbox, testPattern, validatePattern } from '../../src/sandbox';
import { CIS_PATTERN } from './helpers';

const yaml = `
organization: { management_account: "999988887777", members: ["111122223333"] }
accounts:
  - id: "999988887777"
    regions:
      us-east-1:
        trails: [{ name: org-trail, organization: true, log_group: "arn:aws:logs:us-east-1:999988887777:log-group:org" }]
  - id: "111122223333"
    label: compliant
    denied_actions: [logs:Describe*]
    roles: [{ name: CisBotAudit, external_id: secret-id }]
    regions:
      eu-west-2:
        log_groups:
          - name: ct
            metric_filters: [{ name: f, pattern: '{ $.errorCode = "AccessDenied*" }', metric_name: m, metric_namespace: CISBenchmark }]
        alarms: [{ name: a, metric_name: m, namespace: CISBenchmark, alarm_actions: ["arn:aws:sns:eu-west-2:111122223333:t"] }]
        topics: [{ name: t, subscriptions: [{ protocol: email, endpoint: a@example.com }, { protocol: sqs, endpoint: "arn:aws:sqs:eu-west-2:111122223333:q" }] }]
`;

/** The ConfigError message a scenario gets (fails the test when the scenario is accepted). */
function messageOf(doc: unknown): string {
  try {
    parseScenario(doc);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('scenario loading', () => {
  it('reads YAML text and fills the defaults', () => {
    const s = loadScenario(yaml);
    const member = s.accounts[1];
    expect(member?.denied_actions).toEqual(['logs:Describe*']);
    const region = member?.regions['eu-west-2'];
    expect(region?.trails).toEqual([]);
    expect(region?.alarms[0]).toMatchObject({
      statistic: 'Sum',
      period: 300,
      threshold: 1,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      evaluation_periods: 1,
      actions_enabled: true,
    });
    expect(region?.log_groups[0]?.metric_filters[0]?.metric_value).toBe('1');
    expect(s.accounts[0]?.regions['us-east-1']?.trails[0]).toMatchObject({
      multi_region: true,
      logging: true,
    });
  });

  it('reads organization.member_status_calls: allowed by default, denied on request, nothing else', () => {
    expect(loadScenario(yaml).organization?.member_status_calls).toBe('allowed');
    const denied = loadScenario(
      yaml.replace('members: ["111122223333"] }', 'members: ["111122223333"], member_status_calls: denied }'),
    );
    expect(denied.organization?.member_status_calls).toBe('denied');
    expect(() =>
      loadScenario(
        yaml.replace(
          'members: ["111122223333"] }',
          'members: ["111122223333"], member_status_calls: maybe }',
        ),
      ),
    ).toThrow(/member_status_calls/);
  });

  it('reads a YAML file by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-scenario-'));
    try {
      const file = join(dir, 's.yaml');
      writeFileSync(file, yaml);
      expect(loadScenario(file).accounts).toHaveLength(2);
      expect(() => loadScenario(join(dir, 'missing.yaml'))).toThrow(/not found/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('lists every problem with its path in one ConfigError', () => {
    const bad = {
      organization: { management_account: '999988887777', members: ['000000000000'] },
      accounts: [
        {
          id: '1234',
          regions: {
            'eu-west-2': {
              trails: [
                { name: 't1', organization: true },
                {
                  name: 't1',
                  event_selectors: [{ read_write_type: 'All' }],
                  advanced_event_selectors: [
                    { field_selectors: [{ field: 'eventCategory', equals: ['Management'] }] },
                  ],
                },
              ],
              alarms: [{ name: 'a', metric_name: 'm', namespace: 'n', statistic: 'Median' }],
            },
          },
          typo_field: true,
        },
      ],
    };
    let error: unknown;
    try {
      parseScenario(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('accounts.0.id: an AWS account id is 12 digits');
    expect(message).toContain(
      'accounts.0.regions.eu-west-2.trails.1: a trail has basic event_selectors or advanced_event_selectors',
    );
    expect(message).toContain('accounts.0.regions.eu-west-2.alarms.0.statistic');
    expect(message).toContain('typo_field');
  });

  it('checks cross references: duplicates, organization trails, organization accounts', () => {
    const org = messageOf({
      organization: { management_account: '999988887777', members: ['111122223333'] },
      accounts: [
        { id: '111122223333', regions: { 'eu-west-2': { trails: [{ name: 'org', organization: true }] } } },
      ],
    });
    expect(org).toContain('organization: account 999988887777 is not in accounts');
    expect(org).toContain('an organization trail must belong to organization.management_account');
    const dup = messageOf({
      accounts: [
        { id: '111122223333', regions: { 'eu-west-2': { topics: [{ name: 't' }, { name: 't' }] } } },
        { id: '111122223333' },
      ],
    });
    expect(dup).toContain('accounts.0.regions.eu-west-2.topics.1.name: duplicate name t');
    expect(dup).toContain('accounts.1.id: duplicate account 111122223333');
    expect(() => loadScenario('accounts: [ {id: ')).toThrow(ConfigError);
  });

  it('checks the new services and the organization structure', () => {
    const message = messageOf({
      organization: {
        management_account: '999988887777',
        members: ['111122223333'],
        delegated_administrators: ['444455556666'],
        organizational_units: [
          { name: 'A', accounts: ['111122223333'] },
          { name: 'B', accounts: ['111122223333'], children: [{ name: 'C', accounts: ['777777777777'] }] },
        ],
      },
      accounts: [
        { id: '999988887777' },
        { id: '444455556666' },
        {
          id: '111122223333',
          regions: {
            'eu-west-2': {
              queues: [{ name: 'q', redrive: { dead_letter_queue: 'missing', max_receive_count: 3 } }],
            },
          },
        },
      ],
    });
    expect(message).toContain(
      'queues.0.redrive.dead_letter_queue: no queue missing in this account and region',
    );
    expect(message).toContain('organization: account 444455556666 is not the management account or a member');
    expect(message).toContain('organization: account 777777777777 is not in accounts');
    expect(message).toContain('organization.organizational_units: an account is in two OUs');
  });

  it('names bad values of the new services', () => {
    const bad = {
      accounts: [
        {
          id: '111122223333',
          regions: {
            'eu-west-2': {
              queues: [{ name: 'q.fifo' }],
              kms_keys: [{ aliases: ['alias/aws/sns'] }],
              security_hub: { control_finding_generator: 'BOTH' },
            },
          },
        },
      ],
      events: [{ queue: 'arn:aws:sns:eu-west-2:999988887777:not-a-queue' }],
    };
    expect(() => parseScenario(bad)).toThrow(
      /queues\.0\.name: an SQS queue name[\s\S]*kms_keys\.0\.aliases\.0[\s\S]*security_hub\.control_finding_generator[\s\S]*events\.0\.queue: an SQS queue ARN/,
    );
  });

  it('refuses a generated organization whose ids collide with scenario accounts', async () => {
    await expect(
      startSandbox({
        scenario: {
          organization: { management_account: '200000000001', generate: { accounts: 5 } },
          accounts: [{ id: '200000000001' }],
        },
      }),
    ).rejects.toThrow('generated account 200000000001 is also a scenario account');
  });
});

describe('pattern-check (delegates to the filter-pattern engine)', () => {
  it('validates length, balance and JSON-pattern syntax', () => {
    expect(validatePattern(CIS_PATTERN)).toBeUndefined();
    expect(validatePattern('')).toBeUndefined();
    expect(validatePattern('ERROR "disk full" -debug')).toBeUndefined();
    expect(validatePattern('[ip, user, status = 4*, ...]')).toBeUndefined();
    expect(validatePattern('{ $.a IS NULL && $.b NOT EXISTS || $.c[0].d >= 1.5e3 }')).toBeUndefined();
    for (const bad of ['{ $.a = 1', '{ $.a == }', '{ a = 1 }', '"open', '{ ($.a = 1 }', 'x'.repeat(1025)]) {
      expect(validatePattern(bad)).toEqual(expect.any(String));
    }
  });

  it('matches JSON patterns with precedence && over ||, wildcards and absent fields', () => {
    const events = [
      { errorCode: 'Client.UnauthorizedOperation' },
      { errorCode: 'AccessDenied', sourceIPAddress: 'delivery.logs.amazonaws.com' },
      { errorCode: 'AccessDenied' },
      { errorCode: 'AccessDenied', sourceIPAddress: '1.1.1.1', eventName: 'X' },
      'not json',
    ].map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    // != on an absent field does not match, so event 3 is not matched.
    expect(testPattern(CIS_PATTERN, events)).toEqual([1, 4]);
    expect(testPattern('{ $.n > 2 }', ['{"n":3}', '{"n":"3"}', '{"n":1}'])).toEqual([1]);
    expect(testPattern('{ $.x NOT EXISTS }', ['{}', '{"x":null}'])).toEqual([1]);
    expect(testPattern('{ $.a.b[1] = "y" }', ['{"a":{"b":["x","y"]}}', '{"a":{"b":"y"}}'])).toEqual([1]);
  });

  it('matches term patterns', () => {
    const lines = ['ERROR disk full', 'ERROR debug noise', 'WARN disk'];
    expect(testPattern('ERROR -debug', lines)).toEqual([1]);
    expect(testPattern('?WARN ?full', lines)).toEqual([1, 3]);
    expect(testPattern('"disk full"', lines)).toEqual([1]);
    expect(testPattern('', lines)).toEqual([1, 2, 3]);
  });
});
