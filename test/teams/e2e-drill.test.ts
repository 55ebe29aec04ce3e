/**
 * The fire drill end to end through Teams (botbuilder's real adapter, a loopback Bot Connector):
 * `cis 4.1 drill --account ID` answers with the approval request and its warning, another approver's
 * Action.Execute runs it against the sandbox, and the thread ends with what was proven.
 */
import { ACTION_APPROVE } from '../../src/core/ports/chat';
import {
  type ConnectorCall,
  type FakeBotConnector,
  startFakeBotConnector,
} from '../support/fake-bot-connector';
import { channelMention, executeInvoke, MEGAN, NESTOR } from './activities';
import { cardOf, type E2eBot, executeActions, plainOf, startE2eBot } from './e2e-helpers';

const PROD = '111111111111';
let connector: FakeBotConnector;
let e: E2eBot;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  e = await startE2eBot({
    document: (run) => ({
      aws: { accounts: run.otherAccounts, region: run.defaultRegion },
      approvals: { teams: { users: [MEGAN.aadObjectId, NESTOR.aadObjectId] } },
      drill: { wait_seconds: 2 },
    }),
    env: { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' },
  });
});
afterAll(async () => {
  await e?.close();
  await connector?.close();
});

const messages = (calls: ConnectorCall[]) =>
  calls.filter((c) => (c.kind === 'send' || c.kind === 'reply') && c.activity?.type === 'message');

test('cis 4.1 drill: the request warns, an approver runs it, the thread says what was proven', async () => {
  const teams = e.bot.teams;
  if (!teams) throw new Error('Teams is not served');
  let mark = connector.calls.length;
  const res = await e.post(channelMention(connector.serviceUrl, `cis 4.1 drill --account ${PROD}`, MEGAN));
  expect(res.status).toBe(200);
  await teams.idle();
  const [request] = messages(connector.calls.slice(mark));
  if (!request) throw new Error('no drill request');
  const card = cardOf(request);
  expect(plainOf(card)).toContain("The topic's 1 confirmed subscriber will really be notified");
  const [approve] = executeActions(card);
  expect(approve?.verb).toBe(ACTION_APPROVE);

  mark = connector.calls.length;
  const click = await e.post(
    executeInvoke(connector.serviceUrl, {
      verb: ACTION_APPROVE,
      value: approve?.value ?? '',
      cardMessageId: request.id,
      conversationId: request.conversationId,
      from: NESTOR,
    }),
  );
  expect(click.status).toBe(200);
  expect(plainOf(click.body.value)).toMatch(/Approved by Nestor Wilke at /);
  await teams.idle();
  const thread = messages(connector.calls.slice(mark)).map((m) => plainOf(cardOf(m)));
  expect(thread.join('\n')).toContain('Cleanup: alarm to OK: done');
  expect(thread.at(-1)).toMatch(
    /Proven: The alarm unauthorized_api_calls_alarm fired at .+ UTC, SNS delivered to the probe queue/,
  );
  const [approval] = await e.services.store.listApprovals();
  expect(approval).toMatchObject({ kind: 'drill', state: 'succeeded', accountId: PROD });
});
