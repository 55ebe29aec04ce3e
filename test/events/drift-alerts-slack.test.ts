/**
 * Drift alerts end to end on loopback: someone deletes the CIS 4.1 alarm in a member account of the
 * sandbox; the sandbox emits the CloudTrail event into the SQS queue; the bot (startBot with events
 * configured, its real SQS client long-polling the sandbox) re-audits that account and posts the change
 * to the Slack channel (fake Slack Web API) with who did it, the verdicts before and after and a
 * Remediate button; the button goes through the existing approval flow (signed Bolt requests), and the
 * fix's own PutMetricAlarm brings a "compliant again" alert. Messages are deleted once recorded.
 */
import { DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { BOB, buttonsOf, CHANNEL, type E2E, startE2E, textOf } from '../slack/e2e-harness';
import {
  cloudWatchAs,
  eventsSettings,
  PROD,
  queueDepth,
  queueUrl,
  scenarioWithQueue,
  sqsAs,
  waitFor,
} from './helpers';

const PAGING = 'C0PAGING01';

let e: E2E;
let sqs: SQSClient;

beforeAll(async () => {
  e = await startE2E({
    scenario: scenarioWithQueue(),
    document: (run) => ({
      // The paging channel is at level error: breaking news only, not "compliant again".
      ...eventsSettings(run, [CHANNEL, { id: PAGING, level: 'error' }], { controls: ['4.1'] }),
      // The fix re-creates the alarm on prod's own topic (it has a confirmed subscriber).
      remediation: { topic_arn: `arn:aws:sns:eu-west-2:${PROD}:security-alarms` },
    }),
  });
  sqs = sqsAs(e.run);
});

afterAll(async () => {
  sqs.destroy();
  await e.close();
});

const channelText = () => e.fake.channelMessages(CHANNEL).map(textOf);

it('posts who deleted the alarm, before and after, with a Remediate button that fixes it; the fix is posted as compliant again', async () => {
  // The baseline: prod is compliant for 4.1.
  await e.command(`4.1 audit --account ${PROD}`);
  const before = e.fake.channelMessages(CHANNEL).length;

  const cw = cloudWatchAs(e.run, PROD);
  const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({}));
  const alarm = MetricAlarms?.[0]?.AlarmName as string;
  await cw.send(new DeleteAlarmsCommand({ AlarmNames: [alarm] }));
  cw.destroy();

  const alert = await waitFor('the drift alert', () =>
    e.fake
      .channelMessages(CHANNEL)
      .slice(before)
      .find((m) => textOf(m).includes('NON-COMPLIANT in account')),
  );
  const text = textOf(alert);
  expect(text).toContain(`CIS 4.1 NON-COMPLIANT in account ${PROD} (prod)`);
  expect(text).toMatch(new RegExp(`arn:aws:iam::${PROD}:user/`));
  expect(text).toContain('DeleteAlarms');
  expect(text).toContain('127.0.0.1');
  expect(text).toMatch(/Before[\s\S]*compliant[\s\S]*After[\s\S]*NON-COMPLIANT/);
  const [remediate] = buttonsOf(alert);
  expect(remediate?.value).toBe(JSON.stringify({ control: '4.1', accountId: PROD }));

  // Recorded, then deleted: the queue is empty and the alert is in the audit log with where it went.
  await e.bot.driftAlerts?.poller.idle();
  expect(await queueDepth(sqs, queueUrl(e.run))).toEqual({ visible: 0, inFlight: 0 });
  const [logged] = await e.services.store.listAuditLog({ kinds: ['drift-alert'] });
  expect(logged).toMatchObject({
    kind: 'drift-alert',
    control: '4.1',
    accountId: PROD,
    detail: {
      before: 'COMPLIANT',
      after: 'NON_COMPLIANT',
      brokenLink: 'alarm',
      calls: [{ eventName: 'DeleteAlarms', sourceIp: '127.0.0.1' }],
      deliveries: [
        { platform: 'slack', id: CHANNEL },
        { platform: 'slack', id: PAGING },
      ],
    },
  });

  // Remediate: the plan comes in the alert's thread; Bob approves it; it runs and re-audits.
  await e.click(alert, 'cis:remediate', BOB);
  const plan = await waitFor('the plan', () =>
    e.fake.thread(CHANNEL, alert.ts).find((m) => buttonsOf(m).some((b) => b.action_id.includes('approve'))),
  );
  expect(textOf(plan)).toMatch(/PutMetricAlarm|put-metric-alarm/);
  const planTs = plan.ts;
  await e.click(plan, 'cis:approve', { id: 'U0ALICE001', name: 'alice' });

  // The fix's PutMetricAlarm is a chain change too: the alert says 4.1 is compliant again (level info).
  const again = await waitFor('the back-to-compliant alert', () =>
    channelText().find((t) => t.includes(`CIS 4.1 is compliant again in account ${PROD}`)),
  );
  expect(again).toContain('PutMetricAlarm');
  expect(again).toMatch(/Before[\s\S]*NON-COMPLIANT[\s\S]*After[\s\S]*compliant/);
  expect(e.fake.message(CHANNEL, planTs)).toBeDefined();
  // The paging channel (level error) got the breaking alert only.
  expect(e.fake.channelMessages(PAGING).map(textOf)).toEqual([
    expect.stringContaining(`CIS 4.1 NON-COMPLIANT in account ${PROD}`),
  ]);
  await e.bot.driftAlerts?.poller.idle();
  expect(await queueDepth(sqs, queueUrl(e.run))).toEqual({ visible: 0, inFlight: 0 });
  expect(
    (await e.services.store.listAuditLog({ kinds: ['drift-alert'] })).map((l) => l.detail),
  ).toMatchObject([
    { before: 'NON_COMPLIANT', after: 'COMPLIANT' },
    { before: 'COMPLIANT', after: 'NON_COMPLIANT' },
  ]);
});
