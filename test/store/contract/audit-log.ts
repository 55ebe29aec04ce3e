/** Store contract: the append-only audit log (AuditLogStore). */
import { type ContractContext, circular, storeError, T0 } from './context';

const iOf = (e: { detail: unknown }) => (e.detail as { i: number }).i;

export function auditLogContract(ctx: ContractContext): void {
  it('appends with increasing sequence numbers and lists newest first', async () => {
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      seqs.push(await ctx.store.appendAuditLog({ at: T0, kind: i % 2 ? 'step' : 'audit', detail: { i } }));
    }
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(5);
    const all = await ctx.store.listAuditLog();
    expect(all.map(iOf)).toEqual([4, 3, 2, 1, 0]);
    expect(all.map((e) => e.seq)).toEqual([...seqs].reverse());
  });

  it('pages backwards with `before`, filters by kinds and approval, and limits (default 50)', async () => {
    for (let i = 0; i < 55; i++) {
      await ctx.store.appendAuditLog({
        at: T0,
        kind: i % 5 === 0 ? 'step' : 'audit',
        detail: { i },
        ...(i % 10 === 0 ? { approvalId: 'ap1' } : {}),
      });
    }
    const page = await ctx.store.listAuditLog();
    expect(page).toHaveLength(50);
    expect(page.map(iOf).slice(0, 2)).toEqual([54, 53]);
    const next = await ctx.store.listAuditLog({ limit: 3, before: page[1]?.seq as number });
    expect(next.map(iOf)).toEqual([52, 51, 50]);
    expect((await ctx.store.listAuditLog({ kinds: ['step'], limit: 100 })).map(iOf)).toEqual([
      50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 0,
    ]);
    expect((await ctx.store.listAuditLog({ approvalId: 'ap1', limit: 100 })).map(iOf)).toEqual([
      50, 40, 30, 20, 10, 0,
    ]);
    expect(
      (
        await ctx.store.listAuditLog({
          approvalId: 'ap1',
          kinds: ['step', 'plan'],
          before: next[2]?.seq as number,
        })
      ).map(iOf),
    ).toEqual([40, 30, 20, 10, 0]);
    expect(await ctx.store.listAuditLog({ kinds: ['digest'] })).toEqual([]);
  });

  it('keeps every field as given; the platform defaults to the actor’s, absent fields stay absent', async () => {
    const seq = await ctx.store.appendAuditLog({
      at: '2025-03-01T07:00:00Z',
      kind: 'approved',
      actor: { platform: 'teams', userId: 'aad-1', displayName: 'Dee' },
      control: '4.1',
      accountId: '111111111111',
      planHash: 'h',
      approvalId: 'ap1',
      detail: { nested: { list: [1, 'two', null] } },
    });
    await ctx.store.appendAuditLog({
      at: T0,
      kind: 'notice',
      actor: { platform: 'slack', userId: 'U1' },
      platform: 'system',
      detail: null,
    });
    await ctx.store.appendAuditLog({ at: T0, kind: 'digest', detail: 'text' });
    const [bare, system, full] = await ctx.store.listAuditLog();
    expect(full).toEqual({
      seq,
      at: T0,
      kind: 'approved',
      actor: { platform: 'teams', userId: 'aad-1', displayName: 'Dee' },
      platform: 'teams',
      control: '4.1',
      accountId: '111111111111',
      planHash: 'h',
      approvalId: 'ap1',
      detail: { nested: { list: [1, 'two', null] } },
    });
    expect(system).toMatchObject({ platform: 'system', detail: null });
    expect(bare).toEqual({ seq: expect.any(Number), at: T0, kind: 'digest', detail: 'text' });
  });

  it('fails loudly when an entry cannot be written, and writes nothing', async () => {
    await storeError(ctx.store.appendAuditLog({ at: T0, kind: 'audit', detail: circular() }));
    await storeError(ctx.store.appendAuditLog({ at: 'yesterday', kind: 'audit', detail: {} }));
    expect(await ctx.store.listAuditLog()).toEqual([]);
  });

  it('rejects on a closed store', async () => {
    const peer = await ctx.openPeer();
    await peer.close();
    await storeError(peer.appendAuditLog({ at: T0, kind: 'audit', detail: {} }));
    await storeError(peer.listAuditLog());
  });

  it('numbers entries from several handles in one sequence', async () => {
    const peer = await ctx.openPeer();
    const seqs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? peer : ctx.store).appendAuditLog({ at: T0, kind: 'audit', detail: { i } }),
      ),
    );
    expect(new Set(seqs).size).toBe(20);
    const listed = await ctx.store.listAuditLog({ limit: 100 });
    expect(listed.map((e) => e.seq)).toEqual([...seqs].sort((x, y) => y - x));
  });
}
