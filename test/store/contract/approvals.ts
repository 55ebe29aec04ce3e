/**
 * Store contract: the approval state machine's persistence (ApprovalStore). Compare-and-set is the heart
 * of it: a transition happens only from the expected state and under its guards, atomically with its
 * audit-log line, and of any number of racing callers (on any handle) exactly one wins.
 */
import type { AuditLogInput } from '../../../src/core/ports/store';
import {
  A,
  at,
  type ContractContext,
  circular,
  expectTimeBetween,
  newApproval,
  savePlan,
  storeError,
  T0,
} from './context';

const log = (kind: AuditLogInput['kind'], detail: unknown = {}): AuditLogInput => ({ at: T0, kind, detail });

async function logKinds(ctx: ContractContext, approvalId: string): Promise<string[]> {
  return (await ctx.store.listAuditLog({ approvalId })).map((e) => e.kind);
}

export function approvalsContract(ctx: ContractContext): void {
  it('needs the plan to be saved first, and creates nothing without it', async () => {
    await storeError(ctx.store.createApproval(newApproval(), log('approval-requested')));
    expect(await ctx.store.getApproval('ap1')).toBeUndefined();
    expect(await ctx.store.listAuditLog()).toEqual([]);
  });

  it('creates in requested at version 0, with its log line in the same write', async () => {
    await savePlan(ctx.store);
    const created = await ctx.store.createApproval(
      newApproval('ap1', { createdAt: '2025-03-01T07:00:00Z', expiresAt: '2025-03-01T08:00:00Z' }),
      { ...log('approval-requested', { ttl: 60 }), actor: { platform: 'slack', userId: 'U1' } },
    );
    const expected = {
      id: 'ap1',
      kind: 'remediation',
      planHash: 'plan-1',
      control: '4.1',
      accountId: A,
      state: 'requested',
      requestedBy: { platform: 'slack', userId: 'U1' },
      conversation: { platform: 'slack', id: 'C1' },
      createdAt: T0,
      expiresAt: '2025-03-01T08:00:00.000Z',
      updatedAt: T0,
      version: 0,
    };
    expect(created).toEqual(expected);
    expect(await ctx.store.getApproval('ap1')).toEqual(expected);
    const [entry, ...rest] = await ctx.store.listAuditLog({ approvalId: 'ap1' });
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ kind: 'approval-requested', approvalId: 'ap1', platform: 'slack' });
  });

  it('keeps any approval kind and leaves out a conversation that was not given', async () => {
    await savePlan(ctx.store);
    const { conversation: _omitted, ...noConversation } = newApproval('ex1', { kind: 'exception' });
    const created = await ctx.store.createApproval(noConversation);
    expect(created.kind).toBe('exception');
    expect(created).not.toHaveProperty('conversation');
    expect((await ctx.store.getApproval('ex1'))?.kind).toBe('exception');
  });

  it('refuses an id twice, and a request whose log line cannot be written', async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval('ap1'));
    await storeError(ctx.store.createApproval(newApproval('ap1', { accountId: '999999999999' })));
    expect((await ctx.store.getApproval('ap1'))?.accountId).toBe(A);
    await storeError(ctx.store.createApproval(newApproval('ap2'), log('approval-requested', circular())));
    expect(await ctx.store.getApproval('ap2')).toBeUndefined();
    await storeError(ctx.store.createApproval(newApproval('ap3', { expiresAt: 'later' })));
    expect(await ctx.store.getApproval('ap3')).toBeUndefined();
  });

  it('moves only from the expected state: otherwise nothing changes and nothing is logged', async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval());
    expect(
      await ctx.store.transitionApproval('ap1', 'approved', 'executing', {}, {}, log('execution-started')),
    ).toBeUndefined();
    expect(
      await ctx.store.transitionApproval('missing', 'requested', 'approved', {}, {}, log('approved')),
    ).toBeUndefined();
    expect(await ctx.store.transitionApproval('ap1', [], 'approved')).toBeUndefined();
    expect(await ctx.store.getApproval('ap1')).toMatchObject({ state: 'requested', version: 0 });
    expect(await ctx.store.listAuditLog()).toEqual([]);
  });

  it('applies a transition with its patch, bumps the version, and logs it in the same write', async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval());
    const decidedBy = { platform: 'slack' as const, userId: 'U2', displayName: 'Bo' };
    const approved = await ctx.store.transitionApproval(
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
      log('approved', { decision: 'approve' }),
    );
    expect(approved).toMatchObject({
      state: 'approved',
      version: 1,
      decidedBy,
      decidedAt: at(10),
      updatedAt: at(10),
      createdAt: T0,
      conversation: { platform: 'slack', id: 'C1', messageRef: '171.2' },
    });
    expect(await ctx.store.getApproval('ap1')).toEqual(approved);
    expect(await ctx.store.transitionApproval('ap1', 'requested', 'rejected')).toBeUndefined();
    const [entry] = await ctx.store.listAuditLog({ approvalId: 'ap1' });
    expect(entry).toMatchObject({ kind: 'approved', approvalId: 'ap1', detail: { decision: 'approve' } });
  });

  it('does not move when the log line of the transition cannot be written', async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval());
    await storeError(
      ctx.store.transitionApproval('ap1', 'requested', 'approved', {}, {}, log('approved', circular())),
    );
    expect(await ctx.store.getApproval('ap1')).toMatchObject({ state: 'requested', version: 0 });
    await storeError(ctx.store.transitionApproval('ap1', 'requested', 'approved', { at: 'now-ish' }));
    expect(await ctx.store.getApproval('ap1')).toMatchObject({ state: 'requested', version: 0 });
  });

  it("stamps a transition without `at` with the store's current time", async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval());
    const before = new Date();
    const moved = await ctx.store.transitionApproval('ap1', 'requested', 'rejected');
    expectTimeBetween(moved?.updatedAt, before, new Date());
  });

  it('guards on the execution owner, the lapse of its lease and the version; null clears a field', async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval());
    await ctx.store.transitionApproval('ap1', 'requested', 'approved');
    const executing = await ctx.store.transitionApproval('ap1', 'approved', 'executing', {
      executionOwner: 'p1',
      executionLeaseUntil: '2025-03-01T07:15:00Z',
      executionStartedAt: '2025-03-01T07:10:00Z',
    });
    expect(executing).toMatchObject({
      version: 2,
      executionOwner: 'p1',
      executionLeaseUntil: at(15),
      executionStartedAt: at(10),
    });
    const takeOver = { executionOwner: 'p2', executionLeaseUntil: at(30) };
    // The lease still holds a millisecond before it ends.
    expect(
      await ctx.store.transitionApproval('ap1', 'executing', 'executing', takeOver, {
        leaseLapsedAt: at(15 - 1 / 60_000),
      }),
    ).toBeUndefined();
    expect(
      await ctx.store.transitionApproval('ap1', 'executing', 'succeeded', {}, { executionOwner: 'p2' }),
    ).toBeUndefined();
    expect(
      await ctx.store.transitionApproval('ap1', 'executing', 'executing', takeOver, { version: 1 }),
    ).toBeUndefined();
    // Lapsed exactly at its end; all guards must hold together.
    const taken = await ctx.store.transitionApproval('ap1', 'executing', 'executing', takeOver, {
      leaseLapsedAt: at(15),
      version: 2,
      executionOwner: 'p1',
    });
    expect(taken).toMatchObject({ executionOwner: 'p2', executionLeaseUntil: at(30), version: 3 });
    const done = await ctx.store.transitionApproval(
      'ap1',
      'executing',
      'failed',
      { executionLeaseUntil: null, result: { step: 2, ok: false }, error: 'boom', finishedAt: at(20) },
      { executionOwner: 'p2' },
    );
    expect(done).toMatchObject({
      state: 'failed',
      version: 4,
      result: { step: 2, ok: false },
      error: 'boom',
      finishedAt: at(20),
      executionOwner: 'p2',
    });
    expect(done).not.toHaveProperty('executionLeaseUntil');
    const cleared = await ctx.store.transitionApproval('ap1', 'failed', 'failed', {
      error: null,
      executionOwner: null,
    });
    expect(cleared).not.toHaveProperty('error');
    expect(cleared).not.toHaveProperty('executionOwner');
  });

  it('counts an execution without a lease as lapsed', async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval());
    await ctx.store.transitionApproval('ap1', 'requested', 'approved');
    await ctx.store.transitionApproval('ap1', 'approved', 'executing', { executionOwner: 'p1' });
    const taken = await ctx.store.transitionApproval(
      'ap1',
      'executing',
      'executing',
      { executionOwner: 'p2', executionLeaseUntil: at(5) },
      { leaseLapsedAt: T0 },
    );
    expect(taken?.executionOwner).toBe('p2');
  });

  it('lets exactly one of many racing decisions through, whichever handle they use', async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval());
    const peer = await ctx.openPeer();
    const stores = [ctx.store, peer];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (stores[i % 2] ?? ctx.store).transitionApproval(
          'ap1',
          'requested',
          i % 3 === 0 ? 'rejected' : 'approved',
          { decidedBy: { platform: 'slack', userId: `U${i}` } },
          {},
          log(i % 3 === 0 ? 'rejected' : 'approved', { i }),
        ),
      ),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    const stored = await peer.getApproval('ap1');
    expect(stored).toEqual(winners[0]);
    expect(stored?.version).toBe(1);
    expect(await logKinds(ctx, 'ap1')).toEqual([stored?.state]);
  });

  it('lets exactly one of many racing replicas take over a lapsed execution', async () => {
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval());
    await ctx.store.transitionApproval('ap1', 'requested', 'approved');
    const executing = await ctx.store.transitionApproval('ap1', 'approved', 'executing', {
      executionOwner: 'crashed',
      executionLeaseUntil: at(5),
    });
    const peer = await ctx.openPeer();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? peer : ctx.store).transitionApproval(
          'ap1',
          'executing',
          'executing',
          { executionOwner: `replica-${i}`, executionLeaseUntil: at(20) },
          { leaseLapsedAt: at(6), version: executing?.version as number },
          log('execution-resumed', { i }),
        ),
      ),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect((await ctx.store.getApproval('ap1'))?.executionOwner).toBe(winners[0]?.executionOwner);
    expect(await logKinds(ctx, 'ap1')).toEqual(['execution-resumed']);
  });

  it('lists newest first (by creation time, then creation order), by state and up to a limit', async () => {
    expect(await ctx.store.listApprovals()).toEqual([]);
    await savePlan(ctx.store);
    await ctx.store.createApproval(newApproval('b', { createdAt: at(1) }));
    await ctx.store.createApproval(newApproval('a', { createdAt: T0 }));
    await ctx.store.createApproval(newApproval('c', { createdAt: at(1) }));
    await ctx.store.transitionApproval('b', 'requested', 'rejected');
    expect((await ctx.store.listApprovals()).map((x) => x.id)).toEqual(['c', 'b', 'a']);
    expect((await ctx.store.listApprovals({ states: ['requested'] })).map((x) => x.id)).toEqual(['c', 'a']);
    expect((await ctx.store.listApprovals({ states: ['rejected', 'expired'] })).map((x) => x.id)).toEqual([
      'b',
    ]);
    expect((await ctx.store.listApprovals({ limit: 2 })).map((x) => x.id)).toEqual(['c', 'b']);
    expect(await ctx.store.listApprovals({ states: [] })).toEqual([]);
  });

  it('lists at most 100 approvals by default', async () => {
    await savePlan(ctx.store);
    for (let i = 0; i < 101; i++) {
      await ctx.store.createApproval(newApproval(`ap-${i}`, { createdAt: at(i) }));
    }
    const listed = await ctx.store.listApprovals();
    expect(listed).toHaveLength(100);
    expect(listed[0]?.id).toBe('ap-100');
    expect(listed[99]?.id).toBe('ap-1');
  });
}
