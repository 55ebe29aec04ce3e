/** Store contract: the one lease for per-account exclusion (LeaseStore), shared by every replica. */
import { type ContractContext, storeError } from './context';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const sec = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const iso = (seconds: number) => sec(seconds).toISOString();
const KEY = 'account:111111111111';
const TTL = 30_000;

export function leasesContract(ctx: ContractContext): void {
  it('is held by one owner at a time while its lease runs', async () => {
    expect(await ctx.store.getLease(KEY)).toBeUndefined();
    const lease = await ctx.store.acquireLease(KEY, 'remediation ap1@r1', TTL, T0);
    expect(lease).toEqual({ key: KEY, owner: 'remediation ap1@r1', acquiredAt: iso(0), expiresAt: iso(30) });
    expect(await ctx.store.acquireLease(KEY, 'drill d1@r2', TTL, sec(1))).toBeUndefined();
    expect(await ctx.store.acquireLease(KEY, 'drill d1@r2', TTL, sec(29.999))).toBeUndefined();
    // Another account is another key.
    expect(await ctx.store.acquireLease('account:222222222222', 'drill d1@r2', TTL, sec(1))).toMatchObject({
      owner: 'drill d1@r2',
    });
    expect(await ctx.store.getLease(KEY)).toEqual(lease);
  });

  it('extends the lease when its owner acquires it again, keeping when it was acquired', async () => {
    await ctx.store.acquireLease(KEY, 'p1', TTL, T0);
    expect(await ctx.store.acquireLease(KEY, 'p1', TTL, sec(10))).toEqual({
      key: KEY,
      owner: 'p1',
      acquiredAt: iso(0),
      expiresAt: iso(40),
    });
  });

  it('lets anyone take over a lease that lapsed, and the previous owner has lost it', async () => {
    await ctx.store.acquireLease(KEY, 'crashed', TTL, T0);
    // Lapsed exactly at its expiry.
    expect(await ctx.store.acquireLease(KEY, 'survivor', TTL, sec(30))).toEqual({
      key: KEY,
      owner: 'survivor',
      acquiredAt: iso(30),
      expiresAt: iso(60),
    });
    expect(await ctx.store.renewLease(KEY, 'crashed', TTL, sec(31))).toBeUndefined();
    expect(await ctx.store.releaseLease(KEY, 'crashed')).toBe(false);
    expect(await ctx.store.acquireLease(KEY, 'crashed', TTL, sec(31))).toBeUndefined();
    expect(await ctx.store.getLease(KEY)).toMatchObject({ owner: 'survivor', expiresAt: iso(60) });
  });

  it('is renewed by its owner only', async () => {
    await ctx.store.acquireLease(KEY, 'p1', TTL, T0);
    expect(await ctx.store.renewLease(KEY, 'p1', TTL, sec(10))).toEqual({
      key: KEY,
      owner: 'p1',
      acquiredAt: iso(0),
      expiresAt: iso(40),
    });
    expect(await ctx.store.renewLease(KEY, 'p2', TTL, sec(11))).toBeUndefined();
    expect(await ctx.store.renewLease('account:unknown', 'p1', TTL, sec(11))).toBeUndefined();
    expect(await ctx.store.getLease(KEY)).toMatchObject({ owner: 'p1', expiresAt: iso(40) });
    // A lapsed lease nobody took over is still its owner's to renew.
    expect(await ctx.store.renewLease(KEY, 'p1', TTL, sec(45))).toMatchObject({
      owner: 'p1',
      expiresAt: iso(75),
    });
    expect(await ctx.store.acquireLease(KEY, 'p2', TTL, sec(46))).toBeUndefined();
  });

  it('is released by its owner, idempotently, and is free at once', async () => {
    await ctx.store.acquireLease(KEY, 'p1', TTL, T0);
    expect(await ctx.store.releaseLease(KEY, 'p2')).toBe(false);
    expect(await ctx.store.getLease(KEY)).toMatchObject({ owner: 'p1' });
    expect(await ctx.store.releaseLease(KEY, 'p1')).toBe(true);
    expect(await ctx.store.releaseLease(KEY, 'p1')).toBe(false);
    expect(await ctx.store.releaseLease('account:never', 'p1')).toBe(false);
    expect(await ctx.store.getLease(KEY)).toBeUndefined();
    expect(await ctx.store.renewLease(KEY, 'p1', TTL, sec(1))).toBeUndefined();
    expect(await ctx.store.acquireLease(KEY, 'p2', TTL, sec(1))).toMatchObject({
      owner: 'p2',
      acquiredAt: iso(1),
    });
  });

  it('is seen alike through every handle on the database', async () => {
    const peer = await ctx.openPeer();
    await ctx.store.acquireLease(KEY, 'p1', TTL, T0);
    expect(await peer.getLease(KEY)).toMatchObject({ owner: 'p1', expiresAt: iso(30) });
    expect(await peer.acquireLease(KEY, 'p2', TTL, sec(1))).toBeUndefined();
    expect(await peer.renewLease(KEY, 'p1', TTL, sec(5))).toMatchObject({ expiresAt: iso(35) });
    expect(await peer.releaseLease(KEY, 'p1')).toBe(true);
    expect(await ctx.store.getLease(KEY)).toBeUndefined();
  });

  it('goes to exactly one of many racing owners on several handles, then to one taker-over', async () => {
    const peer = await ctx.openPeer();
    const handles = [ctx.store, peer];
    const acquired = await Promise.all(
      Array.from({ length: 12 }, (_, i) => handles[i % 2]?.acquireLease(KEY, `p${i}`, TTL, T0)),
    );
    const winners = acquired.filter((l) => l !== undefined);
    expect(winners).toHaveLength(1);
    expect((await peer.getLease(KEY))?.owner).toBe(winners[0]?.owner);
    // Once it lapsed: the old owner renewing races a crowd taking it over; exactly one call wins.
    const owner = winners[0]?.owner as string;
    const [renewed, ...takeovers] = await Promise.all([
      ctx.store.renewLease(KEY, owner, TTL, sec(31)),
      ...Array.from({ length: 11 }, (_, i) => handles[i % 2]?.acquireLease(KEY, `q${i}`, TTL, sec(31))),
    ]);
    const won = [renewed, ...takeovers].filter((l) => l !== undefined);
    expect(won).toHaveLength(1);
    expect((await ctx.store.getLease(KEY))?.owner).toBe(won[0]?.owner);
  });

  it('refuses a lease without a positive length or a valid time, and takes nothing', async () => {
    await storeError(ctx.store.acquireLease(KEY, 'p1', 0, T0));
    await storeError(ctx.store.acquireLease(KEY, 'p1', Number.NaN, T0));
    await storeError(ctx.store.acquireLease(KEY, 'p1', TTL, new Date('not a time')));
    expect(await ctx.store.getLease(KEY)).toBeUndefined();
    await ctx.store.acquireLease(KEY, 'p1', TTL, T0);
    await storeError(ctx.store.renewLease(KEY, 'p1', -5, sec(1)));
    expect(await ctx.store.getLease(KEY)).toMatchObject({ expiresAt: iso(30) });
  });
}
