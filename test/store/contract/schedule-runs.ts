/** Store contract: exactly-once scheduled runs under a lease (ScheduleRunStore). */
import { at, type ContractContext, expectTimeBetween, storeError, T0 } from './context';

const FIRE = T0;
const when = (minutes: number) => new Date(at(minutes));
const LEASE = 5 * 60_000;

export function scheduleRunsContract(ctx: ContractContext): void {
  it('is claimed by exactly one owner while the lease holds', async () => {
    expect(await ctx.store.getScheduleRun('daily', FIRE)).toBeUndefined();
    expect(await ctx.store.claimScheduleRun('daily', FIRE, 'p1', LEASE, when(0))).toBe(true);
    expect(await ctx.store.claimScheduleRun('daily', FIRE, 'p2', LEASE, when(1))).toBe(false);
    expect(await ctx.store.claimScheduleRun('daily', FIRE, 'p1', LEASE, when(4.99))).toBe(false);
    expect(await ctx.store.claimScheduleRun('other', FIRE, 'p2', LEASE, when(1))).toBe(true);
    expect(await ctx.store.claimScheduleRun('daily', at(1), 'p2', LEASE, when(1))).toBe(true);
    expect(await ctx.store.getScheduleRun('daily', FIRE)).toEqual({
      scheduleName: 'daily',
      fireTime: FIRE,
      owner: 'p1',
      leaseUntil: at(5),
      claimedAt: at(0),
      attempts: 1,
    });
  });

  it('lets an uncompleted run whose lease lapsed be taken over once', async () => {
    expect(await ctx.store.claimScheduleRun('daily', FIRE, 'crashed', LEASE, when(0))).toBe(true);
    // Lapsed exactly at the end of the lease.
    expect(await ctx.store.claimScheduleRun('daily', FIRE, 'p2', LEASE, when(5))).toBe(true);
    expect(await ctx.store.claimScheduleRun('daily', FIRE, 'p3', LEASE, when(6))).toBe(false);
    expect(await ctx.store.getScheduleRun('daily', FIRE)).toMatchObject({
      owner: 'p2',
      attempts: 2,
      leaseUntil: at(10),
      claimedAt: at(5),
    });
    await ctx.store.completeScheduleRun('daily', FIRE, { posted: 2 }, when(7));
    expect(await ctx.store.getScheduleRun('daily', FIRE)).toMatchObject({
      completedAt: at(7),
      summary: { posted: 2 },
    });
    expect(await ctx.store.lastCompletedScheduleRun('daily')).toEqual({
      fireTime: FIRE,
      completedAt: at(7),
      summary: { posted: 2 },
    });
  });

  it('never claims a completed run again, and completes a run only once', async () => {
    expect(await ctx.store.lastCompletedScheduleRun('daily')).toBeUndefined();
    expect(await ctx.store.claimScheduleRun('daily', FIRE, 'p1', 60_000, when(0))).toBe(true);
    await ctx.store.completeScheduleRun('daily', FIRE, { ok: true }, when(0));
    expect(await ctx.store.claimScheduleRun('daily', FIRE, 'p2', 60_000, when(60 * 24))).toBe(false);
    await storeError(ctx.store.completeScheduleRun('daily', FIRE, {}));
    await storeError(ctx.store.completeScheduleRun('daily', 'never', {}));
    expect((await ctx.store.getScheduleRun('daily', FIRE))?.summary).toEqual({ ok: true });
  });

  it("stamps a completion without a time with the store's current time", async () => {
    await ctx.store.claimScheduleRun('daily', FIRE, 'p1', 60_000, when(0));
    const before = new Date();
    await ctx.store.completeScheduleRun('daily', FIRE, null);
    const run = await ctx.store.getScheduleRun('daily', FIRE);
    expectTimeBetween(run?.completedAt, before, new Date());
    expect(run?.summary).toBeNull();
  });

  it('reports the completed run with the latest fire time, ignoring uncompleted ones', async () => {
    const times = [at(0), at(60 * 48), at(60 * 24)];
    for (const t of times) {
      await ctx.store.claimScheduleRun('daily', t, 'p', 60_000, new Date(t));
      await ctx.store.completeScheduleRun('daily', t, { t }, new Date(t));
    }
    await ctx.store.claimScheduleRun('daily', at(60 * 72), 'p', 60_000, when(0));
    await ctx.store.claimScheduleRun('weekly', at(60 * 96), 'p', 60_000, when(0));
    await ctx.store.completeScheduleRun('weekly', at(60 * 96), { t: 'weekly' }, when(0));
    expect(await ctx.store.lastCompletedScheduleRun('daily')).toEqual({
      fireTime: at(60 * 48),
      completedAt: at(60 * 48),
      summary: { t: at(60 * 48) },
    });
  });

  it('refuses a summary JSON cannot hold, and leaves the run uncompleted', async () => {
    await ctx.store.claimScheduleRun('daily', FIRE, 'p1', 60_000, when(0));
    const summary: Record<string, unknown> = {};
    summary.self = summary;
    await storeError(ctx.store.completeScheduleRun('daily', FIRE, summary, when(0)));
    expect(await ctx.store.getScheduleRun('daily', FIRE)).not.toHaveProperty('completedAt');
  });

  it('gives a run to exactly one of many racing claimants on several handles', async () => {
    const peer = await ctx.openPeer();
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? peer : ctx.store).claimScheduleRun('daily', FIRE, `p${i}`, LEASE, when(0)),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = `p${claims.indexOf(true)}`;
    expect((await peer.getScheduleRun('daily', FIRE))?.owner).toBe(winner);
    // And exactly one of the takeovers once the lease lapsed.
    const takeovers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? ctx.store : peer).claimScheduleRun('daily', FIRE, `q${i}`, LEASE, when(6)),
      ),
    );
    expect(takeovers.filter(Boolean)).toHaveLength(1);
    expect((await ctx.store.getScheduleRun('daily', FIRE))?.attempts).toBe(2);
  });
}
