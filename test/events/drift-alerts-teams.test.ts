/**
 * Drift alerts to a Teams channel, end to end on loopback: the real bot (startBot, Teams adapter with the
 * real botbuilder adapter) with events configured on the sandbox's queue; the channel's reference is
 * stored when someone addresses the bot there; then someone deletes prod's CIS 4.1 alarm and the alert
 * is sent to the channel through the fake Bot Connector as an Adaptive Card with who did it, before and
 * after, and the Remediate action.
 */
import { DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ACTION_REMEDIATE } from '../../src/core/ports/chat';
import { startSandboxRun } from '../../src/sandbox-run';
import {
  type ConnectorCall,
  type FakeBotConnector,
  startFakeBotConnector,
} from '../support/fake-bot-connector';
import { CHANNEL, channelMention, MEGAN } from '../teams/activities';
import { cardOf, type E2eBot, executeActions, plainOf, startE2eBot } from '../teams/e2e-helpers';
import { cloudWatchAs, PROD, queueUrl, scenarioWithQueue, waitFor } from './helpers';

let connector: FakeBotConnector;
let e: E2eBot;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  const run = await startSandboxRun(scenarioWithQueue(), { roleAccounts: [] });
  e = await startE2eBot({
    run,
    document: (r) => ({
      aws: { accounts: r.otherAccounts, region: r.defaultRegion },
      events: {
        queue_url: queueUrl(r),
        targets: { teams: [CHANNEL] },
        controls: ['4.1'],
        debounce_ms: 100,
        wait_seconds: 1,
      },
    }),
    env: { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' },
  });
});

afterAll(async () => {
  await e?.close();
  await e?.run.close();
  await connector?.close();
});

const messages = (calls: ConnectorCall[]) =>
  calls.filter((c) => (c.kind === 'send' || c.kind === 'reply') && c.activity?.type === 'message');

it('sends the alert to the Teams channel with who, before and after, and the Remediate action', async () => {
  // Addressed in the channel once (its reference is stored), with the baseline audit of prod.
  const res = await e.post(channelMention(connector.serviceUrl, `cis 4.1 audit --account ${PROD}`, MEGAN));
  expect(res.status).toBe(200);
  await e.bot.teams?.idle();
  const mark = connector.calls.length;

  const cw = cloudWatchAs(e.run, PROD);
  const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({}));
  await cw.send(new DeleteAlarmsCommand({ AlarmNames: [MetricAlarms?.[0]?.AlarmName as string] }));
  cw.destroy();

  const alert = await waitFor('the alert in the channel', () =>
    messages(connector.calls.slice(mark)).find((c) => /NON-COMPLIANT in account/.test(plainOf(cardOf(c)))),
  );
  expect(alert).toMatchObject({ kind: 'send', conversationId: CHANNEL });
  const text = plainOf(cardOf(alert));
  expect(text).toContain(`CIS 4.1 NON-COMPLIANT in account ${PROD} (prod)`);
  expect(text).toMatch(new RegExp(`arn:aws:iam::${PROD}:user/`));
  expect(text).toContain('DeleteAlarms');
  expect(text).toMatch(/compliant/);
  const remediate = executeActions(cardOf(alert)).find((a) => a.verb === ACTION_REMEDIATE);
  expect(remediate?.value).toBe(JSON.stringify({ control: '4.1', accountId: PROD }));
  await e.bot.driftAlerts?.poller.idle();
  expect(await e.services.store.listAuditLog({ kinds: ['drift-alert'] })).toEqual([
    expect.objectContaining({
      detail: expect.objectContaining({ deliveries: [{ platform: 'teams', id: CHANNEL }] }),
    }),
  ]);
});
