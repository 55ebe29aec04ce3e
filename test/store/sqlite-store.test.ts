import Database from 'better-sqlite3';
import { StoreError } from '../../src/core/ports/store';
import { openStore, type SqliteStore } from '../../src/store';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.remove());

let store: SqliteStore;
let path: string;
let n = 0;
beforeEach(() => {
  path = tmp.file(`store-${n++}.db`);
  store = openStore(path);
});
afterEach(() => store.close());

const A = '111111111111';
const B = '222222222222';
const T0 = '2025-03-01T07:00:00.000Z';

async function savePlan(hash = 'plan-1'): Promise<void> {
  await store.savePlan({
    hash,
    control: '4.1',
    accountId: A,
    region: 'eu-west-2',
    createdAt: T0,
    plan: { steps: ['x'] },
  });
}

describe('audit runs and findings', () => {
  it('keeps runs and returns the latest finding per account and the history', async () => {
    await store.recordAuditRun({
      id: 'r1',
      control: '4.1',
      startedAt: '2025-03-01T07:00:00Z',
      finishedAt: '2025-03-01T07:00:05Z',
      trigger: 'schedule',
      accounts: [
        { accountId: A, status: 'NON_COMPLIANT', reason: 'no alarm', finding: { broken: ['alarm'] } },
        { accountId: B, status: 'COMPLIANT', finding: {} },
      ],
    });
    await store.recordAuditRun({
      id: 'r2',
      control: '4.1',
      startedAt: '2025-03-02T07:00:00Z',
      finishedAt: '2025-03-02T07:00:05Z',
      trigger: 'slack',
      actor: { platform: 'slack', userId: 'U1', displayName: 'Ann' },
      accounts: [{ accountId: A, status: 'COMPLIANT', finding: { fixed: true } }],
    });
    const latest = await store.latestFindings('4.1');
    expect(latest).toEqual([
      {
        runId: 'r2',
        control: '4.1',
        accountId: A,
        status: 'COMPLIANT',
        finding: { fixed: true },
        at: '2025-03-02T07:00:05.000Z',
        trigger: 'slack',
      },
      {
        runId: 'r1',
        control: '4.1',
        accountId: B,
        status: 'COMPLIANT',
        finding: {},
        at: '2025-03-01T07:00:05.000Z',
        trigger: 'schedule',
      },
    ]);
    expect((await store.latestFindings('4.1', [B])).map((f) => f.runId)).toEqual(['r1']);
    expect(await store.latestFindings('4.2')).toEqual([]);
    const history = await store.findingsSince('4.1', '2025-03-01T00:00:00Z', [A]);
    expect(history.map((f) => [f.runId, f.status, f.reason])).toEqual([
      ['r1', 'NON_COMPLIANT', 'no alarm'],
      ['r2', 'COMPLIANT', undefined],
    ]);
    expect((await store.findingsSince('4.1', '2025-03-02T00:00:00Z')).map((f) => f.runId)).toEqual(['r2']);
    const run = await store.getAuditRun('r2');
    expect(run?.actor).toEqual({ platform: 'slack', userId: 'U1', displayName: 'Ann' });
    expect(run?.accounts).toEqual([{ accountId: A, status: 'COMPLIANT', finding: { fixed: true } }]);
  });

  it('refuses a run id twice, loudly', async () => {
    const run = {
      id: 'r',
      control: '4.1',
      startedAt: T0,
      finishedAt: T0,
      trigger: 'cli' as const,
      accounts: [],
    };
    await store.recordAuditRun(run);
    await expect(store.recordAuditRun(run)).rejects.toThrow(StoreError);
  });
});

describe('plans', () => {
  it('saves idempotently by hash', async () => {
    await savePlan();
    await store.savePlan({
      hash: 'plan-1',
      control: '4.1',
      accountId: B,
      createdAt: T0,
      plan: { other: true },
    });
    expect(await store.getPlan('plan-1')).toEqual({
      hash: 'plan-1',
      control: '4.1',
      accountId: A,
      region: 'eu-west-2',
      createdAt: T0,
      plan: { steps: ['x'] },
    });
    expect(await store.getPlan('nope')).toBeUndefined();
  });
});

describe('approvals', () => {
  const requestedBy = { platform: 'slack' as const, userId: 'U1' };
  const newApproval = (id = 'ap1') => ({
    id,
    planHash: 'plan-1',
    control: '4.1',
    accountId: A,
    requestedBy,
    conversation: { platform: 'slack' as const, id: 'C1' },
    createdAt: T0,
    expiresAt: '2025-03-01T08:00:00.000Z',
  });

  it('needs the plan to be saved first', async () => {
    await expect(store.createApproval(newApproval())).rejects.toThrow(
      /save the plan before asking for approval/,
    );
  });

  it('creates in requested and moves only by compare-and-set', async () => {
    await savePlan();
    const created = await store.createApproval(newApproval(), {
      at: T0,
      kind: 'approval-requested',
      detail: {},
    });
    expect(created).toMatchObject({ id: 'ap1', state: 'requested', version: 0, updatedAt: T0, requestedBy });
    expect((await store.listAuditLog({ approvalId: 'ap1' })).map((e) => e.kind)).toEqual([
      'approval-requested',
    ]);

    // Wrong from-state: nothing happens, not even the log line.
    const log = { at: T0, kind: 'approved' as const, detail: {} };
    expect(await store.transitionApproval('ap1', 'approved', 'executing', {}, {}, log)).toBeUndefined();
    expect(await store.transitionApproval('missing', 'requested', 'approved')).toBeUndefined();
    expect((await store.getApproval('ap1'))?.state).toBe('requested');

    const decidedBy = { platform: 'slack' as const, userId: 'U2', displayName: 'Bo' };
    const approved = await store.transitionApproval(
      'ap1',
      ['requested', 'approved'],
      'approved',
      {
        at: '2025-03-01T07:10:00Z',
        decidedBy,
        decidedAt: '2025-03-01T07:10:00Z',
        conversation: { platform: 'slack', id: 'C1', messageRef: '171.2' },
      },
      {},
      log,
    );
    expect(approved).toMatchObject({
      state: 'approved',
      version: 1,
      decidedBy,
      decidedAt: '2025-03-01T07:10:00.000Z',
      updatedAt: '2025-03-01T07:10:00.000Z',
      conversation: { platform: 'slack', id: 'C1', messageRef: '171.2' },
    });
    expect(await store.transitionApproval('ap1', 'requested', 'rejected')).toBeUndefined();
    const entries = await store.listAuditLog({ approvalId: 'ap1' });
    expect(entries.map((e) => e.kind)).toEqual(['approved', 'approval-requested']);
  });

  it('guards on owner, lease and version, and clears with null', async () => {
    await savePlan();
    await store.createApproval(newApproval());
    await store.transitionApproval('ap1', 'requested', 'approved');
    const executing = await store.transitionApproval('ap1', 'approved', 'executing', {
      executionOwner: 'p1',
      executionLeaseUntil: '2025-03-01T07:15:00Z',
      executionStartedAt: '2025-03-01T07:10:00Z',
    });
    expect(executing).toMatchObject({
      executionOwner: 'p1',
      executionLeaseUntil: '2025-03-01T07:15:00.000Z',
    });
    const takeOver = { executionOwner: 'p2', executionLeaseUntil: '2025-03-01T07:30:00Z' };
    // Lease still held at 07:14.
    expect(
      await store.transitionApproval('ap1', 'executing', 'executing', takeOver, {
        leaseLapsedAt: '2025-03-01T07:14:00Z',
      }),
    ).toBeUndefined();
    // Wrong owner.
    expect(
      await store.transitionApproval('ap1', 'executing', 'succeeded', {}, { executionOwner: 'p2' }),
    ).toBeUndefined();
    // Wrong version.
    expect(
      await store.transitionApproval('ap1', 'executing', 'executing', takeOver, { version: 1 }),
    ).toBeUndefined();
    const taken = await store.transitionApproval('ap1', 'executing', 'executing', takeOver, {
      leaseLapsedAt: '2025-03-01T07:15:00Z',
      version: 2,
    });
    expect(taken).toMatchObject({ executionOwner: 'p2', version: 3 });
    const done = await store.transitionApproval(
      'ap1',
      'executing',
      'failed',
      { executionLeaseUntil: null, result: { step: 2 }, error: 'boom', finishedAt: '2025-03-01T07:20:00Z' },
      { executionOwner: 'p2' },
    );
    expect(done).toMatchObject({ state: 'failed', result: { step: 2 }, error: 'boom', executionOwner: 'p2' });
    expect(done?.executionLeaseUntil).toBeUndefined();
  });

  it('lists by state, newest first', async () => {
    await savePlan();
    await store.createApproval(newApproval('a'));
    await store.createApproval({ ...newApproval('b'), createdAt: '2025-03-01T07:01:00Z' });
    await store.transitionApproval('a', 'requested', 'rejected');
    expect((await store.listApprovals()).map((a) => a.id)).toEqual(['b', 'a']);
    expect((await store.listApprovals({ states: ['requested'] })).map((a) => a.id)).toEqual(['b']);
    expect((await store.listApprovals({ limit: 1 })).map((a) => a.id)).toEqual(['b']);
  });
});

describe('audit log', () => {
  it('appends and pages newest first', async () => {
    for (let i = 0; i < 5; i++) {
      await store.appendAuditLog({ at: T0, kind: i % 2 ? 'step' : 'audit', detail: { i }, control: '4.1' });
    }
    const all = await store.listAuditLog();
    expect(all.map((e) => (e.detail as { i: number }).i)).toEqual([4, 3, 2, 1, 0]);
    const page = await store.listAuditLog({ limit: 2, before: all[1]?.seq as number });
    expect(page.map((e) => (e.detail as { i: number }).i)).toEqual([2, 1]);
    expect((await store.listAuditLog({ kinds: ['step'] })).length).toBe(2);
    const withActor = await store.appendAuditLog({
      at: T0,
      kind: 'approved',
      actor: { platform: 'teams', userId: 'aad-1' },
      detail: null,
    });
    expect((await store.listAuditLog({ limit: 1 }))[0]).toEqual({
      seq: withActor,
      at: T0,
      kind: 'approved',
      actor: { platform: 'teams', userId: 'aad-1' },
      platform: 'teams',
      detail: null,
    });
  });

  it('cannot be updated or deleted, even through another connection', async () => {
    await store.appendAuditLog({ at: T0, kind: 'audit', detail: { ok: true } });
    const raw = new Database(path);
    try {
      expect(() => raw.prepare("UPDATE audit_log SET kind = 'x'").run()).toThrow(/append-only/);
      expect(() => raw.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
    expect((await store.listAuditLog()).map((e) => e.detail)).toEqual([{ ok: true }]);
  });

  it('fails loudly when a write cannot happen', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(store.appendAuditLog({ at: T0, kind: 'audit', detail: circular })).rejects.toThrow(
      /not serialisable as JSON/,
    );
    await expect(store.appendAuditLog({ at: 'yesterday', kind: 'audit', detail: {} })).rejects.toThrow(
      /not a valid timestamp/,
    );
    await store.close();
    await expect(store.appendAuditLog({ at: T0, kind: 'audit', detail: {} })).rejects.toThrow(
      /could not append "audit" to the audit log: The database connection is not open/,
    );
    store = openStore(path); // for afterEach
  });
});

describe('conversation references', () => {
  it('upserts per platform and conversation', async () => {
    await store.saveConversationRef('teams', '19:abc', { serviceUrl: 'https://a', v: 1 });
    await store.saveConversationRef('teams', '19:abc', { serviceUrl: 'https://a', v: 2 });
    await store.saveConversationRef('teams', '19:def', { v: 3 });
    expect(await store.getConversationRef('teams', '19:abc')).toEqual({ serviceUrl: 'https://a', v: 2 });
    expect(await store.getConversationRef('slack', '19:abc')).toBeUndefined();
    const list = await store.listConversationRefs('teams');
    expect(list.map((r) => [r.conversationId, r.ref])).toEqual([
      ['19:abc', { serviceUrl: 'https://a', v: 2 }],
      ['19:def', { v: 3 }],
    ]);
    expect(await store.listConversationRefs('slack')).toEqual([]);
  });
});

describe('scheduled-run leases', () => {
  const fire = '2025-03-01T07:00:00.000Z';
  const at = (minutes: number) => new Date(Date.parse(fire) + minutes * 60_000);

  it('is claimed by exactly one owner while the lease holds', async () => {
    expect(await store.claimScheduleRun('daily', fire, 'p1', 5 * 60_000, at(0))).toBe(true);
    expect(await store.claimScheduleRun('daily', fire, 'p2', 5 * 60_000, at(1))).toBe(false);
    expect(await store.claimScheduleRun('daily', fire, 'p1', 5 * 60_000, at(1))).toBe(false);
    expect(await store.claimScheduleRun('other', fire, 'p2', 5 * 60_000, at(1))).toBe(true);
    expect(await store.getScheduleRun('daily', fire)).toMatchObject({ owner: 'p1', attempts: 1 });
  });

  it('lets an uncompleted run with a lapsed lease be taken over once', async () => {
    expect(await store.claimScheduleRun('daily', fire, 'crashed', 5 * 60_000, at(0))).toBe(true);
    expect(await store.claimScheduleRun('daily', fire, 'p2', 5 * 60_000, at(5))).toBe(true);
    expect(await store.claimScheduleRun('daily', fire, 'p3', 5 * 60_000, at(6))).toBe(false);
    expect(await store.getScheduleRun('daily', fire)).toMatchObject({
      owner: 'p2',
      attempts: 2,
      leaseUntil: at(10).toISOString(),
    });
    await store.completeScheduleRun('daily', fire, { posted: 2 }, at(7));
    expect(await store.lastCompletedScheduleRun('daily')).toEqual({
      fireTime: fire,
      completedAt: at(7).toISOString(),
      summary: { posted: 2 },
    });
  });

  it('never re-claims a completed run, and completes a run only once', async () => {
    expect(await store.lastCompletedScheduleRun('daily')).toBeUndefined();
    expect(await store.claimScheduleRun('daily', fire, 'p1', 60_000, at(0))).toBe(true);
    await store.completeScheduleRun('daily', fire, { ok: true }, at(0));
    expect(await store.claimScheduleRun('daily', fire, 'p2', 60_000, at(60 * 24))).toBe(false);
    await expect(store.completeScheduleRun('daily', fire, {})).rejects.toThrow(
      /never claimed or is already completed/,
    );
    await expect(store.completeScheduleRun('daily', 'never', {})).rejects.toThrow(StoreError);
  });

  it('reports the completed run with the latest fire time', async () => {
    const times = ['2025-03-01T07:00:00.000Z', '2025-03-03T07:00:00.000Z', '2025-03-02T07:00:00.000Z'];
    for (const t of times) {
      await store.claimScheduleRun('daily', t, 'p', 60_000, new Date(t));
      await store.completeScheduleRun('daily', t, { t }, new Date(t));
    }
    await store.claimScheduleRun('daily', '2025-03-04T07:00:00.000Z', 'p', 60_000, at(0));
    expect((await store.lastCompletedScheduleRun('daily'))?.summary).toEqual({
      t: '2025-03-03T07:00:00.000Z',
    });
  });
});
