/**
 * Socket Mode end to end: the bot server with `slack.mode: socket` runs Slack's real Socket Mode client
 * (through the adapter's receiver) against a loopback fake of Slack's side (test/support/fake-slack-socket:
 * apps.connections.open on the fake Web API at SLACK_API_URL, `hello`, envelopes, acks, `disconnect`),
 * over the real core and the AWS sandbox. Commands, a plan, an approval click and its execution work over
 * the socket; a connection Slack recycles or drops is re-established; an envelope whose ack was lost is
 * delivered again by Slack and handled once; one sent while no connection was open is handled when it is.
 */
import { BOB, CHANNEL, type E2E, expectAllAccepted, startE2E, textOf, withThread } from './e2e-harness';
import { slashCommandPayload } from './helpers';

const DEV = '333333333333';
let e: E2E;

beforeEach(async () => {
  e = await startE2E({ transport: 'socket' });
});

afterEach(async () => {
  await e.close();
});

function socketOf(harness: E2E) {
  if (!harness.socket) throw new Error('not in Socket Mode');
  return harness.socket;
}

/** The "Running …" messages posted for commands with this text (one per command handled). */
function runsOf(harness: E2E, text: string) {
  return harness.fake
    .callsTo('chat.postMessage')
    .filter((c) => String(c.args.text).startsWith(':hourglass') && String(c.args.text).includes(text));
}

it('connects through SLACK_API_URL, audits, plans, approves and executes over the socket, every envelope acknowledged', async () => {
  const socket = socketOf(e);
  // The app-level token went to the fake Web API (SLACK_API_URL), not slack.com.
  expect(e.fake.callsTo('apps.connections.open')).toHaveLength(1);
  expect(e.bot.server).toBeUndefined();

  const audit = await e.command(`4.1 audit --account ${DEV}`);
  expect(audit.status).toBe(200);
  const findings = withThread(e.fake, audit.message as never)
    .map(textOf)
    .join('\n');
  expect(findings).toContain(`CIS 4.1 NON-COMPLIANT: account ${DEV} (dev)`);

  const plan = await e.command(`4.1 remediate --account ${DEV}`);
  if (!plan.message) throw new Error('no plan posted');
  expect(textOf(plan.message)).toMatch(/put-metric-filter/);
  await e.click(structuredClone(plan.message), 'cis:approve', BOB);
  const final = e.fake.message(CHANNEL, plan.message.ts);
  expect(textOf(final as never)).toContain('Approved by bob');
  expect(e.fake.thread(CHANNEL, plan.message.ts).map(textOf).at(-1)).toMatch(/COMPLIANT/);
  expect(e.run.sandbox.calls.map((c) => c.operation)).toContain('PutMetricFilter');
  expect((await e.services.store.listApprovals()).map((a) => a.state)).toEqual(['succeeded']);

  // Every envelope (two commands, one click) was acknowledged on the one connection.
  const envelopes = [...socket.envelopes.values()];
  expect(envelopes.map((m) => m.type)).toEqual(['slash_commands', 'slash_commands', 'interactive']);
  expect(envelopes.map((m) => [m.sentOn, m.ack])).toEqual([
    [[1], {}],
    [[1], {}],
    [[1], {}],
  ]);
  expect(socket.connections).toBe(1);
  expectAllAccepted(e.fake);
});

it('an events_api envelope is acknowledged too', async () => {
  const socket = socketOf(e);
  const event = socket.send('events_api', {
    token: 'x',
    team_id: 'T0FAKE001',
    api_app_id: 'A0CISBOT01',
    type: 'event_callback',
    event_id: 'Ev0SOCKET01',
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user: BOB.id, channel: 'D0BOB', tab: 'home', event_ts: '1.000001' },
  });
  await socket.waitForAck(event);
  expect(event.ack).toEqual({});
});

it('reconnects when Slack asks it to (`disconnect`), and commands go on on the new connection', async () => {
  const socket = socketOf(e);
  socket.requestReconnect();
  await socket.waitForConnection(2);
  expect(e.fake.callsTo('apps.connections.open')).toHaveLength(2);
  const audit = await e.command(`4.1 audit --account ${DEV}`);
  expect(textOf(audit.message as never)).toMatch(/0 of 1 account compliant/);
  expect([...socket.envelopes.values()].map((m) => m.sentOn)).toEqual([[2]]);
});

it('an envelope whose ack was lost with its connection is delivered again and handled once', async () => {
  const socket = socketOf(e);
  const payload = slashCommandPayload({
    text: `4.1 audit --account ${DEV}`,
    response_url: e.fake.responseUrl(),
    channel_id: CHANNEL,
  });
  // The bot handles the command and acks; the connection breaks as the ack travels (Slack never gets it).
  const lost = socket.send('slash_commands', payload, { loseAck: true });
  await socket.waitForConnection(2);
  await socket.waitForAck(lost);
  await e.idle();
  expect(lost.lostAcks).toBe(1);
  expect(lost.sentOn).toEqual([1, 2]);
  // Handled once: one "Running…" message, one audit run recorded, one result.
  expect(runsOf(e, '4.1 audit')).toHaveLength(1);
  const results = e.fake.channelMessages(CHANNEL).filter((m) => /0 of 1 account compliant/.test(textOf(m)));
  expect(results).toHaveLength(1);
});

it('an envelope sent while no connection is open is delivered on the next one and handled once', async () => {
  const socket = socketOf(e);
  socket.requestReconnect();
  // Sent before the client has reconnected: Slack holds it for the next connection.
  const held = socket.send(
    'slash_commands',
    slashCommandPayload({ text: 'history', response_url: e.fake.responseUrl(), channel_id: CHANNEL }),
  );
  expect(held.sentOn).toEqual([]);
  await socket.waitForConnection(2);
  await socket.waitForAck(held);
  await e.idle();
  expect(held.sentOn).toEqual([2]);
  expect(runsOf(e, 'history')).toHaveLength(1);
});
