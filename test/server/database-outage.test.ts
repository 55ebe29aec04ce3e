/**
 * The bot while its database cannot be used, with real components: the real bot (startBot) over the AWS
 * sandbox, signed Slack requests through Bolt's real receiver, Teams through botbuilder's real adapter,
 * and (1) an SQLite file whose write lock another process holds, (2) a real PostgreSQL server stopped and
 * started again. Meanwhile /livez answers, /readyz (and its alias /healthz) says 503 with the database
 * check failed, every Slack command and click and every Teams message is answered with "Database
 * unavailable, reference …" and nothing runs; afterwards /readyz is 200 again, what was decided before is
 * intact, what was refused was not half-written, and the same requests work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Approval } from '../../src/core/ports/store';
import { openStore } from '../../src/store';
import { openPostgresStore } from '../../src/store/postgres';
import { ALICE, BOB, CAROL, type E2E, startE2E } from '../slack/e2e-harness';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector';
import {
  createDatabaseOn,
  type PostgresServer,
  startPostgresServer,
  testStoreSettings,
} from '../support/postgres';
import { lockSqliteFile } from '../support/sqlite-lock';
import { personalMessage } from '../teams/activities';

// botbuilder honours HTTP(S)_PROXY; loopback traffic must not go through one.
process.env.NO_PROXY = '127.0.0.1,localhost';

const DEV = '333333333333';
const UNAVAILABLE = /^Database unavailable, reference ([0-9a-f]{8}):/;

interface Probe {
  status: number;
  body: { ok: boolean; checks?: Record<string, { ok: boolean; error?: string; ref?: string }> };
}

async function probe(e: E2E, path: string): Promise<Probe> {
  const res = await fetch(new URL(path, e.url));
  return { status: res.status, body: (await res.json()) as Probe['body'] };
}

async function approvals(e: E2E): Promise<Approval[]> {
  return e.services.store.listApprovals();
}

/** A remediation plan for the dev account, asked for by Alice: its message (with the Approve button). */
async function plan(e: E2E) {
  const result = await e.command(`4.1 remediate --account ${DEV}`, { user: ALICE });
  if (!result.message) throw new Error('no plan posted');
  return structuredClone(result.message);
}

/** Waits for the response_url post of a refused click (sent after the ack). */
async function refusalTo(e: E2E, before: number): Promise<string> {
  for (;;) {
    const posted = e.fake.callsTo('response_url').slice(before)[0];
    if (posted) return String(posted.args.text);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Everything the bot does while the database is unusable; `decided` and `pending` are approvals made
 * before (one succeeded, one requested). Returns nothing: it asserts.
 */
async function expectExplicitRefusals(
  e: E2E,
  decided: Approval,
  pendingPlan: Awaited<ReturnType<typeof plan>>,
  connector?: FakeBotConnector,
): Promise<void> {
  const live = await probe(e, '/livez');
  expect(live).toEqual({ status: 200, body: { ok: true } });
  for (const path of ['/readyz', '/healthz']) {
    const ready = await probe(e, path);
    expect(ready.status).toBe(503);
    expect(ready.body.ok).toBe(false);
    expect(ready.body.checks?.database).toEqual({
      ok: false,
      error: expect.stringMatching(/^Database unavailable, reference [0-9a-f]{8}\.$/),
      ref: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    expect(ready.body.checks?.slack).toEqual({ ok: true });
  }
  const auditsBefore = e.run.sandbox.calls.length;

  // Slash commands, several at once: each ack is the refusal, shown to the user at once.
  const commands = await Promise.all(
    [1, 2, 3, 4, 5].map(() => e.command(`4.1 audit --account ${DEV}`, { settle: false })),
  );
  const refs = new Set<string>();
  for (const c of commands) {
    expect(c.status).toBe(200);
    const answer = JSON.parse(c.text) as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    refs.add(UNAVAILABLE.exec(answer.text)?.[1] ?? 'missing');
  }
  expect(refs.size).toBe(5);
  expect(refs.has('missing')).toBe(false);

  // An Approve click: acknowledged, the refusal to the clicker; the approval is still requested.
  const before = e.fake.callsTo('response_url').length;
  const click = await e.click(pendingPlan, 'cis:approve', BOB);
  expect(click.status).toBe(200);
  expect(await refusalTo(e, before)).toMatch(UNAVAILABLE);

  // Teams: the message is answered in the conversation with the same words.
  if (connector) {
    connector.reset();
    const message = personalMessage(connector.serviceUrl, `cis 4.1 audit --account ${DEV}`);
    const res = await fetch(new URL('/api/messages', e.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    expect(res.status).toBe(200);
    await e.bot.teams?.idle();
    const reply = await connector.waitFor(
      (c) => c.kind === 'reply' && c.activityId === message.id && c.activity?.type === 'message',
    );
    expect(JSON.stringify(reply.activity)).toMatch(/Database unavailable, reference [0-9a-f]{8}/);
  }
  await e.idle();
  // Nothing ran: no command reached AWS (Teams' audit reads AWS, then cannot record its run).
  if (!connector) expect(e.run.sandbox.calls.length).toBe(auditsBefore);
  expect(decided.state).toBe('succeeded');
}

/** After the database is back: ready again, nothing lost or half-written, and the same requests work. */
async function expectRecovered(e: E2E, decided: Approval, pendingPlan: Awaited<ReturnType<typeof plan>>) {
  expect((await probe(e, '/readyz')).status).toBe(200);
  const after = await approvals(e);
  expect(after.find((a) => a.id === decided.id)).toEqual(decided);
  const pending = after.find((a) => a.id !== decided.id);
  expect(pending?.state).toBe('requested');
  expect(pending?.decidedBy).toBeUndefined();
  // The refused click left no trace but its refusal: it can be made now.
  await e.click(pendingPlan, 'cis:approve', BOB);
  expect((await approvals(e)).map((a) => a.state).sort()).toEqual(['succeeded', 'succeeded']);
  const audit = await e.command(`4.1 audit --account ${DEV}`);
  expect(audit.text).toBe('');
  expect((await e.services.store.listAuditLog({ limit: 5 })).some((l) => l.kind === 'audit')).toBe(true);
}

/** One remediation approved and run before the outage, and one plan waiting for approval. */
async function decidedAndPending(e: E2E) {
  const first = await plan(e);
  await e.click(first, 'cis:approve', CAROL);
  const [decided] = await approvals(e);
  if (decided?.state !== 'succeeded') throw new Error(`the first plan did not run: ${decided?.state}`);
  // The dev account is compliant now: break it again so a second plan is offered.
  const trail = e.run.sandbox.state.region(DEV, 'eu-west-2').logGroups.get('cloudtrail');
  for (const name of [...(trail?.metricFilters.keys() ?? [])]) {
    if (name !== 'access-denied') trail?.metricFilters.delete(name);
  }
  const pendingPlan = await plan(e);
  expect((await approvals(e)).map((a) => a.state).sort()).toEqual(['requested', 'succeeded']);
  return { decided, pendingPlan };
}

describe('an SQLite file another process keeps locked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cis-bot-outage-'));
  let e: E2E;
  let connector: FakeBotConnector;
  beforeAll(async () => {
    connector = await startFakeBotConnector();
    e = await startE2E({
      // A short wait for the lock keeps the test quick; the default is 1 s.
      store: openStore(join(dir, 'cis-bot.db'), { busyRetryMs: 100 }),
      env: { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' },
    });
  });
  afterAll(async () => {
    await e?.close();
    await connector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused explicitly while locked, and everything works once the lock is released', async () => {
    const { decided, pendingPlan } = await decidedAndPending(e);
    const lock = await lockSqliteFile(join(dir, 'cis-bot.db'));
    try {
      await expectExplicitRefusals(e, decided, pendingPlan, connector);
      expect((await probe(e, '/readyz')).body.checks?.teams).toEqual({ ok: true });
    } finally {
      await lock.release();
    }
    await expectRecovered(e, decided, pendingPlan);
  });
});

describe('a PostgreSQL server stopped and started again', () => {
  let server: PostgresServer;
  let e: E2E;
  beforeAll(async () => {
    server = await startPostgresServer();
    const url = await createDatabaseOn(server.url());
    e = await startE2E({
      store: await openPostgresStore(testStoreSettings(url, { connectTimeoutMs: 1000 })),
    });
  });
  afterAll(async () => {
    await e?.close();
    await server?.close();
  });

  it('is refused explicitly while the server is down, and everything works once it is back', async () => {
    const { decided, pendingPlan } = await decidedAndPending(e);
    await server.stop();
    try {
      await expectExplicitRefusals(e, decided, pendingPlan);
    } finally {
      await server.start();
    }
    await expectRecovered(e, decided, pendingPlan);
  });
});
