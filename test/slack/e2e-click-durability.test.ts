/**
 * An approval click's decision is recorded durably BEFORE Slack's ack, so a crash after the ack never
 * loses it: a signed click goes through Bolt's real receiver, and the store is read at the moment the
 * bot's own server writes the ack (when Bolt ends the HTTP response; the SQLite store reads at the call),
 * before the execution that follows the ack has begun. What is recorded then is what a restarted bot
 * resumes from (`resumeInterrupted` picks up approvals approved but never started).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Approval } from '../../src/core/ports/store';
import { ALICE, BOB, type E2E, httpServerOf, startE2E } from './e2e-harness';
import { sign } from './helpers';

const DEV = '333333333333'; // the audit-demo account the bot can fix
let e: E2E;
/** The approvals as stored when each request's ack was written, by the request's signature. */
const atAck = new Map<string, Promise<Approval[]>>();

beforeEach(async () => {
  // Latency in the sandbox: the execution after the ack takes a while.
  e = await startE2E({ latencyMs: 25 });
  httpServerOf(e).on('request', (req: IncomingMessage, res: ServerResponse) => {
    const signature = req.headers['x-slack-signature'];
    if (req.url !== '/slack/events' || typeof signature !== 'string') return;
    // Observed, not changed: the store is read the instant the response is ended, then it ends as usual.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      atAck.set(signature, e.services.store.listApprovals());
      return end(...args);
    }) as typeof res.end;
  });
});

afterEach(async () => {
  await e.close();
});

async function planAndItsApproval() {
  const plan = await e.command(`4.1 remediate --account ${DEV}`, { user: ALICE });
  if (!plan.message) throw new Error('no plan posted');
  const [requested, ...more] = (await e.services.store.listApprovals()).filter(
    (a) => a.state === 'requested',
  );
  if (!requested || more.length > 0) throw new Error('expected one requested approval');
  return { message: structuredClone(plan.message), id: requested.id };
}

async function storedAtAck(click: { body: string; timestamp: number }, id: string) {
  const approvals = atAck.get(sign(click.body, click.timestamp));
  if (!approvals) throw new Error('no ack recorded for the click');
  return (await approvals).find((a) => a.id === id);
}

it('Approve: the decision (approved by the clicker) is in the store when the ack is written; the plan runs after', async () => {
  const { message, id } = await planAndItsApproval();
  const click = await e.click(message, 'cis:approve', BOB);
  expect(click.status).toBe(200);
  const decided = await storedAtAck(click, id);
  // Approved (or already executing) by Bob: never still `requested` at the ack.
  expect(['approved', 'executing']).toContain(decided?.state);
  expect(decided?.decidedBy?.userId).toBe(BOB.id);
  expect(decided?.decidedAt).toBeDefined();
  // Then it ran, once.
  expect((await e.services.store.getApproval(id))?.state).toBe('succeeded');
});

it('Reject: the decision is in the store when the ack is written', async () => {
  const { message, id } = await planAndItsApproval();
  const click = await e.click(message, 'cis:reject', BOB);
  const decided = await storedAtAck(click, id);
  expect(decided?.state).toBe('rejected');
  expect(decided?.decidedBy?.userId).toBe(BOB.id);
});

it('a refused click (an unauthorized clicker) is acked and records no decision', async () => {
  const { message, id } = await planAndItsApproval();
  const click = await e.click(message, 'cis:approve', { id: 'U0MALLORY1', name: 'mallory' });
  expect(click.status).toBe(200);
  expect((await storedAtAck(click, id))?.state).toBe('requested');
  expect((await e.services.store.getApproval(id))?.state).toBe('requested');
});
