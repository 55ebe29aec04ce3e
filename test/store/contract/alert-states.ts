/** Store contract: the drift alerts' last status per account and control (AlertStateStore). */
import { A, B, type ContractContext, circular, storeError } from './context';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const sec = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

export function alertStatesContract(ctx: ContractContext): void {
  it('records the first status once, then changes it only from the status the caller read', async () => {
    expect(await ctx.store.getAlertState(A, '4.1')).toBeUndefined();
    expect(await ctx.store.swapAlertState(A, '4.1', undefined, 'COMPLIANT', T0)).toBe(true);
    // A second "first" write loses: the status exists now.
    expect(await ctx.store.swapAlertState(A, '4.1', undefined, 'NON_COMPLIANT', sec(1))).toBe(false);
    expect(await ctx.store.getAlertState(A, '4.1')).toEqual({
      accountId: A,
      control: '4.1',
      status: 'COMPLIANT',
      changedAt: T0.toISOString(),
    });
    // From a status it did not read: nothing changes.
    expect(await ctx.store.swapAlertState(A, '4.1', 'ERROR', 'NON_COMPLIANT', sec(2))).toBe(false);
    expect(await ctx.store.swapAlertState(A, '4.1', 'COMPLIANT', 'NON_COMPLIANT', sec(3))).toBe(true);
    expect(await ctx.store.getAlertState(A, '4.1')).toMatchObject({
      status: 'NON_COMPLIANT',
      changedAt: sec(3).toISOString(),
    });
    // Back to compliant is a change like any other.
    expect(await ctx.store.swapAlertState(A, '4.1', 'NON_COMPLIANT', 'COMPLIANT', sec(4))).toBe(true);
    expect((await ctx.store.getAlertState(A, '4.1'))?.status).toBe('COMPLIANT');
  });

  it('keeps one status per account and control', async () => {
    await ctx.store.swapAlertState(A, '4.1', undefined, 'COMPLIANT', T0);
    await ctx.store.swapAlertState(A, '4.3', undefined, 'NON_COMPLIANT', T0);
    await ctx.store.swapAlertState(B, '4.1', undefined, 'ERROR', T0);
    expect((await ctx.store.getAlertState(A, '4.1'))?.status).toBe('COMPLIANT');
    expect((await ctx.store.getAlertState(A, '4.3'))?.status).toBe('NON_COMPLIANT');
    expect((await ctx.store.getAlertState(B, '4.1'))?.status).toBe('ERROR');
    expect(await ctx.store.getAlertState(B, '4.3')).toBeUndefined();
  });

  it('lets exactly one of several replicas record the same change', async () => {
    const peers = [ctx.store, await ctx.openPeer(), await ctx.openPeer()];
    const firsts = await Promise.all(
      peers.map((p, i) => p.swapAlertState(A, '4.1', undefined, `S${i}`, sec(i))),
    );
    expect(firsts.filter(Boolean)).toHaveLength(1);
    const status = (await ctx.store.getAlertState(A, '4.1'))?.status as string;
    const changes = await Promise.all(
      peers.map((p) => p.swapAlertState(A, '4.1', status, 'NON_COMPLIANT', sec(10))),
    );
    expect(changes.filter(Boolean)).toHaveLength(1);
    expect((await peers[1]?.getAlertState(A, '4.1'))?.status).toBe('NON_COMPLIANT');
  });

  it('refuses a time that is not a time, changing nothing', async () => {
    await storeError(ctx.store.swapAlertState(A, '4.1', undefined, 'COMPLIANT', new Date(Number.NaN)));
    expect(await ctx.store.getAlertState(A, '4.1')).toBeUndefined();
  });

  it('keeps the alert of a change until it is cleared, for the status it was written with', async () => {
    const alert = { control: '4.1', after: { status: 'NON_COMPLIANT', reason: 'no alarm' }, changes: [] };
    expect(await ctx.store.swapAlertState(A, '4.1', undefined, 'COMPLIANT', T0)).toBe(true);
    expect(await ctx.store.getAlertState(A, '4.1')).not.toHaveProperty('pendingAlert');
    expect(await ctx.store.swapAlertState(A, '4.1', 'COMPLIANT', 'NON_COMPLIANT', sec(1), alert)).toBe(true);
    // Another replica (another handle) sees it: the poster may have died before posting.
    const peer = await ctx.openPeer();
    expect((await peer.getAlertState(A, '4.1'))?.pendingAlert).toEqual(alert);
    // Cleared for the status it belongs to only, and once.
    expect(await peer.clearPendingAlert(A, '4.1', 'COMPLIANT')).toBe(false);
    expect(await peer.clearPendingAlert(A, '4.1', 'NON_COMPLIANT')).toBe(true);
    expect(await ctx.store.clearPendingAlert(A, '4.1', 'NON_COMPLIANT')).toBe(false);
    expect(await ctx.store.getAlertState(A, '4.1')).toEqual({
      accountId: A,
      control: '4.1',
      status: 'NON_COMPLIANT',
      changedAt: sec(1).toISOString(),
    });
    // A change without an alert drops a pending one.
    await ctx.store.swapAlertState(A, '4.1', 'NON_COMPLIANT', 'ERROR', sec(2), alert);
    await ctx.store.swapAlertState(A, '4.1', 'ERROR', 'COMPLIANT', sec(3));
    expect(await ctx.store.getAlertState(A, '4.1')).not.toHaveProperty('pendingAlert');
    expect(await ctx.store.clearPendingAlert(B, '4.1', 'COMPLIANT')).toBe(false);
  });

  it('refuses an alert JSON cannot hold, changing nothing', async () => {
    await ctx.store.swapAlertState(A, '4.1', undefined, 'COMPLIANT', T0);
    await storeError(ctx.store.swapAlertState(A, '4.1', 'COMPLIANT', 'NON_COMPLIANT', sec(1), circular()));
    expect(await ctx.store.getAlertState(A, '4.1')).toMatchObject({ status: 'COMPLIANT' });
  });
}
