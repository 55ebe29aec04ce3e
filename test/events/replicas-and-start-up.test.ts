/**
 * Drift alerts across replicas and at start-up, through the real bot server:
 * - two bots on one database (two handles on one SQLite file, as two replicas) poll one queue: SQS's
 *   visibility gives each message to one of them, the account lease keeps their re-audits of one
 *   account apart, and the alert state's compare-and-set posts the change once;
 * - a queue that does not exist, or that cis-bot may not read, stops start-up with an error that names
 *   the setting and the permission.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/load';
import { createLoggerFactory } from '../../src/logger';
import { createCoreServices } from '../../src/runtime';
import { startSandboxRun } from '../../src/sandbox-run';
import { startBot } from '../../src/server';
import { openStore } from '../../src/store';
import { CHANNEL, startE2E, textOf } from '../slack/e2e-harness';
import { SIGNING_SECRET } from '../slack/helpers';
import { FAKE_BOT_TOKEN, FakeSlackApi } from '../support/fake-slack-api';
import { cloudWatchAs, eventsSettings, PROD, REGION, SECURITY, scenarioWithQueue, waitFor } from './helpers';

const quiet = createLoggerFactory({ level: 'error', write: () => undefined });

it('posts a change once when two replicas share the queue and the database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cis-drift-replicas-'));
  const path = join(dir, 'bot.db');
  const e = await startE2E({
    scenario: scenarioWithQueue(),
    document: (run) => eventsSettings(run, [CHANNEL], { controls: ['4.1'], debounce_ms: 20 }),
    storePath: path,
    loggers: quiet,
  });
  const services = createCoreServices({
    config: e.config,
    session: e.run.session,
    region: e.run.defaultRegion,
    labels: e.run.labels,
    store: openStore(path),
  });
  const second = await startBot(e.config, services, {
    port: 0,
    host: '127.0.0.1',
    startTimers: false,
    loggers: quiet,
  });
  try {
    await e.command(`4.1 audit --account ${PROD}`);
    const before = e.fake.channelMessages(CHANNEL).length;
    // A burst in prod: topic changes (nothing breaks), the alarm deleted (4.1 breaks), more topic changes.
    const sns = new SNSClient({
      endpoint: e.run.sandbox.endpoint,
      region: REGION,
      credentials: e.run.sandbox.credentialsFor(PROD),
    });
    const touchTopic = (i: number) =>
      sns.send(
        new SetTopicAttributesCommand({
          TopicArn: `arn:aws:sns:${REGION}:${PROD}:security-alarms`,
          AttributeName: 'DisplayName',
          AttributeValue: `Security ${i}`,
        }),
      );
    for (let i = 0; i < 6; i++) await touchTopic(i);
    const cw = cloudWatchAs(e.run, PROD);
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({}));
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: [MetricAlarms?.[0]?.AlarmName as string] }));
    cw.destroy();
    for (let i = 6; i < 12; i++) await touchTopic(i);
    sns.destroy();

    const pollers = [e.bot.driftAlerts?.poller, second.driftAlerts?.poller];
    await waitFor(
      'every event received',
      () => pollers.reduce((n, p) => n + (p?.stats.received ?? 0), 0) >= 13,
    );
    await Promise.all(pollers.map((p) => p?.idle()));
    // Both replicas took part, yet the change is posted once and logged once.
    expect(pollers.every((p) => (p?.stats.received ?? 0) > 0)).toBe(true);
    const alerts = e.fake
      .channelMessages(CHANNEL)
      .slice(before)
      .map(textOf)
      .filter((t) => t.includes('in account'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain(`CIS 4.1 NON-COMPLIANT in account ${PROD}`);
    expect(await e.services.store.listAuditLog({ kinds: ['drift-alert'] })).toHaveLength(1);
    expect(await e.services.store.getAlertState(PROD, '4.1')).toMatchObject({ status: 'NON_COMPLIANT' });
  } finally {
    await second.close();
    await e.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the start-up check of the queue', () => {
  async function startWith(queue: (endpoint: string) => string, deniedActions: string[] = []) {
    const scenario = parse(scenarioWithQueue()) as { accounts: Array<Record<string, unknown>> };
    const security = scenario.accounts.find((a) => a.id === SECURITY) as Record<string, unknown>;
    security.denied_actions = deniedActions;
    const run = await startSandboxRun(stringify(scenario), { roleAccounts: [] });
    const fake = await FakeSlackApi.start();
    const config = loadConfig({
      document: {
        aws: { accounts: run.otherAccounts, region: run.defaultRegion },
        events: { queue_url: queue(run.sandbox.endpoint), targets: { slack: [CHANNEL] }, wait_seconds: 1 },
      },
      env: {
        SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: fake.apiUrl,
        PORT: '0',
        LOG_LEVEL: 'error',
      },
    });
    const store = openStore(':memory:');
    const services = createCoreServices({ config, session: run.session, store, region: run.defaultRegion });
    try {
      return await startBot(config, services, {
        port: 0,
        host: '127.0.0.1',
        startTimers: false,
        loggers: quiet,
      }).then(
        async (bot) => {
          await bot.close();
          return 'started';
        },
        (error: unknown) => error,
      );
    } finally {
      await store.close().catch(() => undefined);
      await fake.close();
      await run.close();
    }
  }

  it('names the queue and what to do when it does not exist', async () => {
    const error = await startWith((endpoint) => `${endpoint}/${SECURITY}/no-such-queue`);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ConfigError');
    expect((error as Error).message).toMatch(
      /^events\.queue_url: the queue http:\/\/127\.0\.0\.1:\d+\/999900000001\/no-such-queue does not exist \(AWS\.SimpleQueueService\.NonExistentQueue\); create it with `cis-bot events setup`/,
    );
    expect((error as Error).message).toContain(
      'sqs:ChangeMessageVisibility, sqs:DeleteMessage, sqs:GetQueueAttributes, sqs:ReceiveMessage',
    );
  });

  it('names the permission when the queue is denied', async () => {
    const error = await startWith(
      (endpoint) => `${endpoint}/${SECURITY}/cis-bot-events`,
      ['sqs:GetQueueAttributes'],
    );
    expect((error as Error).message).toMatch(
      /^events\.queue_url: access to the queue .*cis-bot-events is denied \(sqs:GetQueueAttributes, AccessDenied\)/,
    );
  });

  it('starts when the queue is there and readable', async () => {
    expect(await startWith((endpoint) => `${endpoint}/${SECURITY}/cis-bot-events`)).toBe('started');
  });
});
