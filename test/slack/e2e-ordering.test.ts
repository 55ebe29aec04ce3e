/**
 * "Every command is acknowledged before any AWS call starts", shown on ORDER, not timing. One shared
 * sequence records (a) the moment the bot server finishes the HTTP response to each Slack request (the
 * response's `finish` event on the bot's own server) and (b) the arrival of each AWS SDK request at a
 * tap in front of the sandbox. Several commands arrive at once, each for a different account, so every
 * AWS call can be traced to its command (AssumeRole names the role's account; later calls use the
 * credentials it handed out). For each command, its ack must come before the first call for its account.
 * The same holds for an Approve click and the remediation's calls.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsCallTap } from './aws-call-tap';
import {
  ALICE,
  BOB,
  type E2E,
  expectAllAccepted,
  httpServerOf,
  startE2E,
  textOf,
  withThread,
} from './e2e-harness';
import { sign } from './helpers';

let e: E2E;
let tap: AwsCallTap;
let seq = 0;
const next = () => ++seq;
/** Acks by the request's signature (each request has its own), with their place in the sequence. */
const acks = new Map<string, { seq: number; status: number }>();

beforeAll(async () => {
  tap = await AwsCallTap.start(next);
  // Latency in the sandbox: the work takes a while, the acks must not wait for it.
  e = await startE2E({ awsTap: tap, latencyMs: 25 });
  httpServerOf(e).on('request', (req: IncomingMessage, res: ServerResponse) => {
    const signature = req.headers['x-slack-signature'];
    if (req.url !== '/slack/events' || typeof signature !== 'string') return;
    res.on('finish', () => acks.set(signature, { seq: next(), status: res.statusCode }));
  });
});

afterAll(async () => {
  await e.close();
  await tap.close();
});

/** The signature the client sent with a request (to find its ack). */
function signatureOf(result: { body: string; timestamp: number }): string {
  return sign(result.body, result.timestamp);
}

/** Place in the sequence of the first AWS call made for `account` after sequence position `after`. */
function firstCallFor(account: string, after = 0): number | undefined {
  const seqs = tap.calls.filter((c) => c.seq > after && tap.accountOf(c) === account).map((c) => c.seq);
  return seqs.length > 0 ? Math.min(...seqs) : undefined;
}

it('acknowledges each of several concurrent commands before the first AWS call for it starts', async () => {
  const accounts = e.run.otherAccounts; // seven members, one command each
  const commands = accounts.map((account, i) =>
    i === 2
      ? `4.1 remediate --account ${account}`
      : `4.1 audit --account ${account}${i % 2 ? ' --level verbose' : ''}`,
  );
  const results = await Promise.all(commands.map((text) => e.command(text, { user: ALICE, settle: false })));
  await e.idle();

  const order = accounts.map((account, i) => {
    const result = results[i];
    if (!result) throw new Error('missing result');
    expect(result.status).toBe(200);
    const ack = acks.get(signatureOf(result));
    if (!ack) throw new Error(`no ack recorded for ${commands[i]}`);
    expect(ack.status).toBe(200);
    return { command: commands[i], ack: ack.seq, firstAwsCall: firstCallFor(account) };
  });
  // Every command reached AWS (so the check is not vacuous), and only after it had been acknowledged.
  expect(order.filter((o) => o.firstAwsCall === undefined || o.firstAwsCall < o.ack)).toEqual([]);
  // The work did finish: every command's message shows its account.
  const shown = e.fake
    .channelMessages('C0SECOPS01')
    .flatMap((m) => withThread(e.fake, m))
    .map(textOf)
    .join('\n');
  for (const account of accounts) expect(shown).toContain(account);
  expectAllAccepted(e.fake);
});

it('acknowledges an Approve click before the remediation’s first AWS call', async () => {
  const account = '333333333333';
  const plan = await e.command(`4.1 remediate --account ${account}`, { user: ALICE });
  if (!plan.message) throw new Error('no plan posted');
  const before = seq;
  const click = await e.click(structuredClone(plan.message), 'cis:approve', BOB);
  expect(click.status).toBe(200);
  const ack = acks.get(signatureOf(click));
  if (!ack) throw new Error('no ack recorded for the click');
  const first = firstCallFor(account, before);
  expect(first).toBeDefined();
  expect(first as number).toBeGreaterThan(ack.seq);
  expect(tap.calls.filter((c) => c.seq > before).map((c) => c.operation)).toContain('PutMetricFilter');
});
