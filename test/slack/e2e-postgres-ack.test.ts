/**
 * On PostgreSQL, what a Slack ack waits for has connections of its own (the ack lane,
 * src/store/postgres/connection.ts): with the only pooled connection held by background work (an audit's
 * record waiting on a table lock), a signed `/cis 4.1 audit` and a Reject click still go through Bolt's
 * real receiver and are acknowledged, the click's decision is recorded before its ack, and once the
 * background work can proceed the command's reply arrives and its audit is recorded.
 */
import type { PostgresStore } from '../../src/store/postgres';
import { createTestDatabase, holdLock, openTestPostgresStore, queryRows } from '../support/postgres';
import { ALICE, BOB, type E2E, startE2E, textOf } from './e2e-harness';

const DEV = '333333333333'; // the audit-demo account the bot can fix
let url: string;
let e: E2E;

beforeAll(async () => {
  url = await createTestDatabase();
});

beforeEach(async () => {
  const store: PostgresStore = await openTestPostgresStore(url, { poolSize: 1, connectTimeoutMs: 30_000 });
  e = await startE2E({ store });
});

afterEach(async () => {
  await e.close();
});

/** Waits until the bot's pooled connection is blocked on a lock (the pool of one is then exhausted). */
async function poolBlocked(): Promise<void> {
  const database = new URL(url).pathname.slice(1);
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND application_name = 'cis-bot' AND wait_event_type = 'Lock'`,
      [database],
    );
    if (row?.n === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('acknowledges a command and records a click decision while background work holds every pooled connection', async () => {
  const plan = await e.command(`4.1 remediate --account ${DEV}`, { user: ALICE });
  if (!plan.message) throw new Error('no plan posted');
  const [requested] = (await e.services.store.listApprovals()).filter((a) => a.state === 'requested');
  if (!requested) throw new Error('no approval requested');
  const runsBefore = (await e.services.store.listAuditLog({ kinds: ['audit'], limit: 1000 })).length;

  const lock = await holdLock(url, 'LOCK TABLE audit_runs IN ACCESS EXCLUSIVE MODE');
  const background = e.services.store.recordAuditRun({
    id: 'background-run',
    control: '4.1',
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    trigger: 'schedule',
    accounts: [],
  });
  await poolBlocked();

  const command = await e.command('4.1 audit', { user: ALICE, settle: false });
  expect([command.status, command.text]).toEqual([200, '']);
  const click = await e.click(plan.message, 'cis:reject', BOB, { settle: false });
  expect(click.status).toBe(200);
  // Recorded before the ack, through the ack lane (the pool is still blocked).
  expect(await e.services.store.getApproval(requested.id)).toMatchObject({
    state: 'rejected',
    decidedBy: { userId: BOB.id },
  });

  await lock.release();
  await background;
  await e.idle();
  // The command's reply replaced its progress message, and its audit was recorded (one line per account).
  const progress = e.fake.calls.find(
    (c) => c.method === 'chat.postMessage' && String(c.args.text).includes('Running `/cis 4.1 audit`'),
  );
  const reply = e.fake.message(String(progress?.args.channel), String(progress?.response.ts));
  expect(textOf(reply ?? { text: '', blocks: [] })).toMatch(/4\.1 .*(COMPLIANT|NON_COMPLIANT|ERROR)/);
  const runsAfter = await e.services.store.listAuditLog({ kinds: ['audit'], limit: 1000 });
  expect(runsAfter.length - runsBefore).toBe(e.run.otherAccounts.length);
});
