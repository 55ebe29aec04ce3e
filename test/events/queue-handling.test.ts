/**
 * How the drift-alert poller treats what arrives in its queue, through the real bot (startBot with
 * events configured, the real SQS client against the sandbox, Slack's fake Web API):
 * - messages that can never be an alert (not JSON, truncated JSON, another kind of event, a call that
 *   breaks nothing, an account cis-bot does not audit) are logged with the reason and deleted;
 * - a burst of ten changes in one account is one re-audit;
 * - a message whose re-audit fails (the database lost the alert-state table) is left on the queue and
 *   the queue's redrive policy moves it to the dead-letter queue, logged on every receive, never looping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import { createLoggerFactory } from '../../src/logger';
import { CHANNEL, type E2E, startE2E, textOf } from '../slack/e2e-harness';
import {
  cloudWatchAs,
  DLQ,
  eventsSettings,
  PROD,
  queueDepth,
  queueUrl,
  REGION,
  SECURITY,
  scenarioWithQueue,
  sqsAs,
  waitFor,
} from './helpers';

let e: E2E;
let sqs: SQSClient;
let lines: string[];

async function start(options: { debounceMs?: number; storePath?: string; visibility?: number } = {}) {
  lines = [];
  e = await startE2E({
    scenario: scenarioWithQueue({ visibility: options.visibility ?? 30, maxReceiveCount: 2 }),
    document: (run) =>
      eventsSettings(run, [CHANNEL], { controls: ['4.1'], debounce_ms: options.debounceMs ?? 100 }),
    loggers: createLoggerFactory({ level: 'info', write: (line) => lines.push(line) }),
    ...(options.storePath ? { storePath: options.storePath } : {}),
  });
  sqs = sqsAs(e.run);
}

afterEach(async () => {
  sqs.destroy();
  await e.close();
});

const poller = () => {
  const p = e.bot.driftAlerts?.poller;
  if (!p) throw new Error('drift alerts are not running');
  return p;
};
const logged = (message: string) => lines.map((l) => JSON.parse(l)).filter((l) => l.msg === message);

/** A CloudTrail-shaped EventBridge event, as the rule delivers it. */
function cloudTrailEvent(account: string, eventSource: string, eventName: string): string {
  return JSON.stringify({
    version: '0',
    id: `evt-${account}-${eventName}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cloudwatch',
    account,
    region: REGION,
    time: '2026-12-05T06:00:00Z',
    detail: {
      eventSource,
      eventName,
      awsRegion: REGION,
      eventTime: '2026-12-05T06:00:00Z',
      sourceIPAddress: '203.0.113.9',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/mallory` },
      recipientAccountId: account,
    },
  });
}

it('logs and deletes what can never be an alert, and posts nothing', async () => {
  await start();
  const bodies = {
    'not JSON': 'hello',
    truncated: cloudTrailEvent(PROD, 'monitoring.amazonaws.com', 'DeleteAlarms').slice(0, 60),
    'another kind of event': JSON.stringify({ 'detail-type': 'EC2 Instance State-change Notification' }),
    'a call that breaks nothing': cloudTrailEvent(PROD, 'monitoring.amazonaws.com', 'EnableAlarmActions'),
    'an account cis-bot does not audit': cloudTrailEvent(
      '123456789012',
      'monitoring.amazonaws.com',
      'DeleteAlarms',
    ),
    'a failed call': JSON.stringify({
      ...JSON.parse(cloudTrailEvent(PROD, 'monitoring.amazonaws.com', 'DeleteAlarms')),
      detail: {
        ...JSON.parse(cloudTrailEvent(PROD, 'monitoring.amazonaws.com', 'DeleteAlarms')).detail,
        errorCode: 'AccessDenied',
      },
    }),
  };
  for (const body of Object.values(bodies)) {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(e.run), MessageBody: body }));
  }
  await waitFor('every message handled', () => poller().stats.ignored === 6);
  await poller().idle();
  expect(await queueDepth(sqs, queueUrl(e.run))).toEqual({ visible: 0, inFlight: 0 });
  expect(poller().stats).toMatchObject({ received: 6, ignored: 6, deleted: 6, reaudits: 0 });
  const reasons = logged('drift event ignored and deleted').map((l) => l.reason as string);
  expect(reasons).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^not JSON/),
      expect.stringMatching(/^not JSON \(truncated\?\)/),
      expect.stringMatching(/not a CloudTrail API call event \(detail-type "EC2 Instance/),
      'monitoring.amazonaws.com EnableAlarmActions cannot break a link of the watched controls',
      'account 123456789012 is not one cis-bot audits',
      'monitoring.amazonaws.com DeleteAlarms failed (AccessDenied): it changed nothing',
    ]),
  );
  expect(e.fake.channelMessages(CHANNEL)).toEqual([]);
  expect(await e.services.store.listAuditLog({ kinds: ['drift-alert', 'audit'] })).toEqual([]);
});

it('re-audits a burst of ten changes in one account once, and posts nothing when nothing changed', async () => {
  await start({ debounceMs: 1500 });
  const sns = new SNSClient({
    endpoint: e.run.sandbox.endpoint,
    region: REGION,
    credentials: e.run.sandbox.credentialsFor(PROD),
  });
  for (let i = 0; i < 10; i++) {
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: `arn:aws:sns:${REGION}:${PROD}:security-alarms`,
        AttributeName: 'DisplayName',
        AttributeValue: `Security ${i}`,
      }),
    );
  }
  sns.destroy();
  await waitFor('ten events', () => poller().stats.received === 10);
  await poller().idle();
  expect(poller().stats).toMatchObject({ received: 10, reaudits: 1, deleted: 10, alerts: 0 });
  const audits = await e.services.store.listAuditLog({ kinds: ['audit'] });
  expect(audits.map((a) => [a.accountId, a.control, (a.detail as { purpose: string }).purpose])).toEqual([
    [PROD, '4.1', 'drift-alert'],
  ]);
  expect(await queueDepth(sqs, queueUrl(e.run))).toEqual({ visible: 0, inFlight: 0 });
  expect(e.fake.channelMessages(CHANNEL).map(textOf)).toEqual([]);
});

it('leaves a message whose re-audit fails on the queue until the redrive policy dead-letters it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cis-drift-'));
  const path = join(dir, 'bot.db');
  try {
    await start({ storePath: path, visibility: 1 });
    // The database loses the alert-state table: every re-audit fails when it reads it.
    const db = new Database(path);
    db.exec('DROP TABLE alert_states');
    db.close();
    const cw = cloudWatchAs(e.run, PROD);
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({}));
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: [MetricAlarms?.[0]?.AlarmName as string] }));
    cw.destroy();
    const dlqUrl = queueUrl(e.run, DLQ);
    await waitFor(
      'the message in the dead-letter queue',
      async () => (await queueDepth(sqs, dlqUrl)).visible === 1,
    );
    expect(await queueDepth(sqs, queueUrl(e.run))).toEqual({ visible: 0, inFlight: 0 });
    const failures = logged(
      'drift event not processed: its re-audit failed; left on the queue for redelivery',
    );
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      accountId: PROD,
      receives: 1,
      deadLetterQueue: `arn:aws:sqs:${REGION}:${SECURITY}:${DLQ}`,
      maxReceiveCount: 2,
    });
    expect(failures[1]).toMatchObject({ receives: 2 });
    expect(String(failures[0].error)).toMatch(/alert_states/);
    expect(poller().stats).toMatchObject({ reaudits: 2, poison: 2, deleted: 0 });
    expect(e.fake.channelMessages(CHANNEL)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('re-audits every account for an organization-wide call that names no member, and deletes the message once all are recorded', async () => {
  await start();
  // Trusted access for CloudTrail disabled in the management account: organization trails stop for every member.
  const body = JSON.parse(
    cloudTrailEvent(SECURITY, 'organizations.amazonaws.com', 'DisableAWSServiceAccess'),
  );
  body.detail.requestParameters = { servicePrincipal: 'cloudtrail.amazonaws.com' };
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(e.run), MessageBody: JSON.stringify(body) }));
  await waitFor('the message', () => poller().stats.received === 1);
  await poller().idle();
  const members = (await e.services.accounts.list()).map((a) => a.accountId).sort();
  expect(members).toHaveLength(7);
  expect(poller().stats).toMatchObject({ received: 1, reaudits: 7, deleted: 1, ignored: 0 });
  const audited = (await e.services.store.listAuditLog({ kinds: ['audit'] })).map((a) => a.accountId).sort();
  expect(audited).toEqual(members);
  expect(await queueDepth(sqs, queueUrl(e.run))).toEqual({ visible: 0, inFlight: 0 });
});

it('posts an alert a replica recorded but died before posting, at the next re-audit of the account', async () => {
  await start();
  await e.command(`4.1 audit --account ${PROD}`);
  // What a replica that died between recording the change and posting it leaves behind.
  const orphan = {
    control: '4.1',
    controlTitle: 'Ensure unauthorized API calls are monitored',
    before: 'COMPLIANT',
    after: {
      control: '4.1',
      accountId: PROD,
      label: 'prod',
      status: 'NON_COMPLIANT',
      reason: 'No CloudWatch alarm on the metric of the filter.',
      brokenLink: 'alarm',
      links: [],
      chain: {},
      candidates: 1,
    },
    auditedAt: '2026-12-05T06:00:01.000Z',
    changes: [
      {
        eventId: 'evt-orphan',
        accountId: PROD,
        region: REGION,
        eventSource: 'monitoring.amazonaws.com',
        eventName: 'DeleteAlarms',
        eventTime: '2026-12-05T06:00:00Z',
        principalArn: `arn:aws:iam::${PROD}:user/mallory`,
        sourceIp: '203.0.113.9',
        links: [],
        organizationWide: false,
        allAccounts: false,
      },
    ],
  };
  await e.services.store.swapAlertState(PROD, '4.1', undefined, 'NON_COMPLIANT', new Date(), orphan);
  // The alarm is indeed gone: its event is redelivered (here: delivered) and re-audited.
  const cw = cloudWatchAs(e.run, PROD);
  const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({}));
  await cw.send(new DeleteAlarmsCommand({ AlarmNames: [MetricAlarms?.[0]?.AlarmName as string] }));
  cw.destroy();
  await waitFor('the re-audit', () => poller().stats.reaudits === 1);
  await poller().idle();
  const posted = e.fake
    .channelMessages(CHANNEL)
    .map(textOf)
    .filter((t) => t.includes('in account'));
  expect(posted).toHaveLength(1);
  expect(posted[0]).toContain(`CIS 4.1 NON-COMPLIANT in account ${PROD} (prod)`);
  expect(posted[0]).toContain(`arn:aws:iam::${PROD}:user/mallory`);
  expect(posted[0]).toContain('203.0.113.9');
  expect(await e.services.store.listAuditLog({ kinds: ['drift-alert'] })).toEqual([
    expect.objectContaining({ detail: expect.objectContaining({ recovered: true, after: 'NON_COMPLIANT' }) }),
  ]);
  expect(await e.services.store.getAlertState(PROD, '4.1')).not.toHaveProperty('pendingAlert');
  expect(logged('drift alert (recorded before a crash, posted now)')).toHaveLength(1);
});
