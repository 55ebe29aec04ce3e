/** Store contract: content-addressed plans (PlanStore). */
import { A, B, type ContractContext, circular, storeError, T0 } from './context';

export function plansContract(ctx: ContractContext): void {
  it('saves a plan and reads it back, idempotently by hash: the first record stays', async () => {
    await ctx.store.savePlan({
      hash: 'plan-1',
      control: '4.1',
      accountId: A,
      region: 'eu-west-2',
      createdAt: '2025-03-01T07:00:00Z',
      plan: { steps: [{ id: 'alarm', call: { input: { Threshold: 1 } } }] },
    });
    await ctx.store.savePlan({ hash: 'plan-1', control: '4.2', accountId: B, createdAt: T0, plan: {} });
    expect(await ctx.store.getPlan('plan-1')).toEqual({
      hash: 'plan-1',
      control: '4.1',
      accountId: A,
      region: 'eu-west-2',
      createdAt: T0,
      plan: { steps: [{ id: 'alarm', call: { input: { Threshold: 1 } } }] },
    });
    expect(await ctx.store.getPlan('nope')).toBeUndefined();
  });

  it('leaves out a region that was not given', async () => {
    await ctx.store.savePlan({ hash: 'h', control: '4.1', accountId: A, createdAt: T0, plan: [1, 2] });
    expect(await ctx.store.getPlan('h')).toEqual({
      hash: 'h',
      control: '4.1',
      accountId: A,
      createdAt: T0,
      plan: [1, 2],
    });
  });

  it('refuses a plan JSON cannot hold, or a creation time that is not a time', async () => {
    await storeError(
      ctx.store.savePlan({ hash: 'h', control: '4.1', accountId: A, createdAt: T0, plan: circular() }),
    );
    await storeError(
      ctx.store.savePlan({ hash: 'h', control: '4.1', accountId: A, createdAt: 'soon', plan: {} }),
    );
    expect(await ctx.store.getPlan('h')).toBeUndefined();
  });

  it('shares plans between handles', async () => {
    const peer = await ctx.openPeer();
    await peer.savePlan({ hash: 'h', control: '4.1', accountId: A, createdAt: T0, plan: { p: 1 } });
    expect((await ctx.store.getPlan('h'))?.plan).toEqual({ p: 1 });
  });
}
