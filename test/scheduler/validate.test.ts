/** Start-up validation of schedules: clear ConfigErrors naming the schedule and what is wrong. */
import { loadConfig } from '../../src/config/load';
import { platformCatalog } from '../../src/config/platform-settings';
import type { ScheduleConfig } from '../../src/config/schema';
import { ConfigError } from '../../src/core/errors';
import type { Auditor } from '../../src/core/ports/auditor';
import type { ChatPoster } from '../../src/core/ports/chat';
import { createScheduler, validateSchedules } from '../../src/scheduler';
import { openStore } from '../../src/store';

function schedules(list: unknown[]): ScheduleConfig[] {
  return [...loadConfig({ document: { schedules: list }, env: {} }).schedules];
}

const target = { slack: ['C0123'] };

const catalog = platformCatalog(loadConfig({ document: {}, env: {} }));

function problems(list: unknown[], platforms?: Array<'slack' | 'teams'>): string {
  try {
    validateSchedules(schedules(list), platforms ? { platforms, catalog } : { catalog });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  return '';
}

test('a valid schedule passes', () => {
  expect(problems([{ name: 'daily', cron: '0 7 * * 1-5', timezone: 'Europe/London', targets: target }])).toBe(
    '',
  );
  expect(problems([{ name: 'nick', cron: '@daily', targets: target }])).toBe('');
});

test('a bad cron expression names the schedule, the expression and the field', () => {
  expect(problems([{ name: 'daily', cron: '61 7 * * *', targets: target }])).toBe(
    'Invalid digest schedules in the configuration:\n' +
      '  - schedules[0] "daily": cron expression "61 7 * * *" is not valid: minute field: 61 is a invalid expression for minute. ' +
      'Use five fields (minute hour day-of-month month day-of-week), e.g. "0 7 * * 1-5".',
  );
  expect(problems([{ name: 'x', cron: 'every morning', targets: target }])).toMatch(
    /schedules\[0\] "x": cron expression "every morning" is not valid: expected 5 or 6 fields but got 2/,
  );
});

test('more than once a minute is refused (runs are keyed by minute)', () => {
  expect(problems([{ name: 'fast', cron: '*/10 * * * * *', targets: target }])).toMatch(
    /"fast": cron expression "\*\/10 \* \* \* \* \*" fires more than once a minute/,
  );
  expect(problems([{ name: 'ok', cron: '30 0 7 * * *', targets: target }])).toBe('');
});

test('unknown time zone, unknown control, no targets, duplicate names: all listed at once', () => {
  const message = problems([
    { name: 'a', cron: '0 7 * * *', timezone: 'Europe/Londn', controls: ['4.1', '4.99'], targets: target },
    { name: 'a', cron: '0 8 * * *', targets: {} },
  ]);
  expect(message.split('\n')).toEqual([
    'Invalid digest schedules in the configuration:',
    '  - schedules[0] "a": unknown time zone "Europe/Londn": use an IANA name such as "Europe/London", "America/New_York" or "UTC".',
    expect.stringMatching(/^ {2}- schedules\[0\] "a": unknown control "4\.99" \(known: 4\.1, 4\.2, .*\)\.$/),
    '  - schedules[1] "a": the name is used by another schedule; names must be unique.',
    '  - schedules[1] "a": no targets: list Slack channel ids under targets.slack and/or Teams conversation ids under targets.teams.',
  ]);
});

test('a target on a platform that is not configured', () => {
  expect(
    problems(
      [{ name: 'both', cron: '0 7 * * *', targets: { slack: ['C1'], teams: ['19:x@thread.tacv2'] } }],
      ['slack'],
    ),
  ).toMatch(
    /"both": targets Teams conversations but Teams is not configured \(set MicrosoftAppId and MicrosoftAppPassword\)\./,
  );
});

test('createScheduler fails start-up on a bad cron expression, before touching anything', async () => {
  const store = openStore(':memory:');
  const auditor: Auditor = {
    audit: () => {
      throw new Error('must not be called');
    },
    auditControls: () => {
      throw new Error('must not be called');
    },
  };
  const poster: ChatPoster = { platform: 'slack', post: async () => {} };
  const config = loadConfig({
    document: { schedules: [{ name: 'daily', cron: '0 25 * * *', targets: target }] },
    env: {},
  });
  expect(() =>
    createScheduler({ config, platforms: platformCatalog(config), auditor, store, posters: [poster] }),
  ).toThrow(ConfigError);
  expect(() =>
    createScheduler({ config, platforms: platformCatalog(config), auditor, store, posters: [poster] }),
  ).toThrow(/schedules\[0\] "daily": cron expression "0 25 \* \* \*" is not valid: hour field/);
  await store.close();
});
