/**
 * Accepted exceptions end to end through Teams (botbuilder's real adapter, a loopback Bot Connector):
 * `cis 4.1 except …` answers with the request and its Approve button, another approver's Action.Execute
 * grants it, and `cis 4.1 audit` then shows the account ACCEPTED with who, why and until when.
 */
import { ACTION_APPROVE } from '../../src/core/ports/chat';
import {
  type ConnectorCall,
  type FakeBotConnector,
  startFakeBotConnector,
} from '../support/fake-bot-connector';
import { channelMention, executeInvoke, MEGAN, NESTOR } from './activities';
import { cardOf, type E2eBot, executeActions, plainOf, startE2eBot } from './e2e-helpers';

const DEV = '333333333333';
let connector: FakeBotConnector;
let e: E2eBot;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  e = await startE2eBot({
    document: (run) => ({
      aws: { accounts: run.otherAccounts, region: run.defaultRegion },
      approvals: { teams: { users: [MEGAN.aadObjectId, NESTOR.aadObjectId] } },
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

test('cis 4.1 except: requested, approved by another approver, then the audit shows ACCEPTED', async () => {
  const teams = e.bot.teams;
  if (!teams) throw new Error('Teams is not served');
  const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  let mark = connector.calls.length;
  const text = `cis 4.1 except --account ${DEV} --reason "vendor scanner" --until ${until}`;
  expect((await e.post(channelMention(connector.serviceUrl, text, MEGAN))).status).toBe(200);
  await teams.idle();
  const [request] = messages(connector.calls.slice(mark));
  if (!request) throw new Error('no exception request');
  const card = cardOf(request);
  expect(plainOf(card)).toContain(`Exception requested: accept CIS 4.1 on account ${DEV} until ${until}`);
  const [approve] = executeActions(card);
  expect(approve?.verb).toBe(ACTION_APPROVE);

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
  expect(plainOf(click.body.value)).toMatch(/Approved by Nestor Wilke/);
  await teams.idle();
  const [approval] = await e.services.store.listApprovals();
  expect(approval).toMatchObject({ kind: 'exception', state: 'succeeded', accountId: DEV });

  mark = connector.calls.length;
  await e.post(channelMention(connector.serviceUrl, `cis 4.1 audit --account ${DEV}`, MEGAN));
  await teams.idle();
  const audit = messages(connector.calls.slice(mark))
    .map((m) => plainOf(cardOf(m)))
    .join('\n');
  expect(audit).toContain(`CIS 4.1 ACCEPTED: account ${DEV}`);
  expect(audit).toMatch(new RegExp(`Accepted until ${until} by Nestor Wilke, requested by Megan`));
});
