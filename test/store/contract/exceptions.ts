/** Store contract: accepted exceptions (ExceptionStore), kept per granting approval, revoked once. */
import type { NewException } from '../../../src/core/ports/store';
import { A, at, B, type ContractContext, storeError, T0 } from './context';

function exception(id: string, overrides: Partial<NewException> = {}): NewException {
  return {
    id,
    control: '4.1',
    accountId: A,
    reason: 'legacy IAM users until the SSO migration',
    until: '2025-03-31',
    expiresAt: '2025-04-01T00:00:00.000Z',
    requestedBy: { platform: 'slack', userId: 'U_RITA', displayName: 'Rita' },
    approvedBy: { platform: 'slack', userId: 'U_BO' },
    grantedAt: T0,
    ...overrides,
  };
}

const DEVIATION = {
  filterName: 'unauthorized-no-ci',
  filterPattern: '{ ($.errorCode = "AccessDenied") && ($.userIdentity.arn != "arn:aws:iam::1:role/ci") }',
  filterPatternHash: 'ab'.repeat(32),
  logGroupArn: 'arn:aws:logs:eu-west-2:111111111111:log-group:trail',
  witness: {
    eventName: 'GetObject',
    errorCode: 'AccessDenied',
    userIdentity: { arn: 'arn:aws:iam::1:role/ci' },
  },
};

export function exceptionsContract(ctx: ContractContext): void {
  it('keeps a granted exception as given, with its deviation, and reads it back by id', async () => {
    const saved = await ctx.store.saveException(exception('ap1', { deviation: DEVIATION }));
    expect(saved).toEqual(exception('ap1', { deviation: DEVIATION }));
    expect(await ctx.store.getException('ap1')).toEqual(saved);
    expect(await ctx.store.getException('nope')).toBeUndefined();
    // Without a deviation, the field is absent (not null).
    expect(Object.keys(await ctx.store.saveException(exception('ap2')))).not.toContain('deviation');
  });

  it('is idempotent by id: a second save (a resumed run) keeps the first', async () => {
    await ctx.store.saveException(exception('ap1'));
    const peer = await ctx.openPeer();
    const again = await peer.saveException(exception('ap1', { reason: 'something else' }));
    expect(again.reason).toBe('legacy IAM users until the SSO migration');
    expect(await ctx.store.listExceptions()).toHaveLength(1);
  });

  it('lists by control, accounts and expiry, latest expiry first, revoked ones only when asked', async () => {
    await ctx.store.saveException(exception('early', { until: '2025-03-10', expiresAt: at(9 * 24 * 60) }));
    await ctx.store.saveException(
      exception('late', { until: '2025-06-30', expiresAt: '2025-07-01T00:00:00Z' }),
    );
    await ctx.store.saveException(exception('other-account', { accountId: B }));
    await ctx.store.saveException(exception('other-control', { control: '4.3' }));
    await ctx.store.saveException(exception('revoked'));
    await ctx.store.revokeException('revoked', { platform: 'slack', userId: 'U_BO' }, at(1));

    const ids = async (q: Parameters<typeof ctx.store.listExceptions>[0]) =>
      (await ctx.store.listExceptions(q)).map((e) => e.id);
    expect(await ids({ control: '4.1', accountIds: [A] })).toEqual(['late', 'early']);
    expect(await ids({})).toEqual(['late', 'other-account', 'other-control', 'early']);
    expect(await ids({ accountIds: [B] })).toEqual(['other-account']);
    expect(await ids({ accountIds: [] })).toEqual([]);
    // Still valid at a time: expiring strictly after it.
    expect(await ids({ control: '4.1', expiresAfter: '2025-04-01T00:00:00.000Z' })).toEqual(['late']);
    expect(await ids({ control: '4.1', expiresAfter: '2025-03-31T23:59:59.999Z' })).toEqual([
      'late',
      'other-account',
    ]);
    expect(await ids({ control: '4.1', accountIds: [A], includeRevoked: true })).toEqual([
      'late',
      'revoked',
      'early',
    ]);
  });

  it('is revoked once: of two revokers on two handles exactly one wins, and the record says who and when', async () => {
    await ctx.store.saveException(exception('ap1'));
    const peer = await ctx.openPeer();
    const bo = { platform: 'slack' as const, userId: 'U_BO', displayName: 'Bo' };
    const ann = { platform: 'slack' as const, userId: 'U_ANN' };
    const [first, second] = await Promise.all([
      ctx.store.revokeException('ap1', bo, at(5)),
      peer.revokeException('ap1', ann, at(6)),
    ]);
    const winners = [first, second].filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    const stored = await ctx.store.getException('ap1');
    expect(stored).toEqual(winners[0]);
    expect(stored?.revokedAt).toMatch(/^2025-03-01T07:0[56]:00\.000Z$/);
    expect([bo, ann]).toContainEqual(stored?.revokedBy);
    expect(await ctx.store.revokeException('unknown', bo, at(7))).toBeUndefined();
  });

  it('refuses what is not an exception, loudly, and stores nothing', async () => {
    await storeError(ctx.store.saveException(exception('bad-until', { until: '31/03/2025' })));
    await storeError(ctx.store.saveException(exception('bad-time', { expiresAt: 'tomorrow' })));
    await storeError(ctx.store.listExceptions({ expiresAfter: 'soon' }));
    expect(await ctx.store.listExceptions({ includeRevoked: true })).toEqual([]);
  });
}
