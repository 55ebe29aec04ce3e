/** Store contract: once-only keys, the replay cache replicas share (OnceKeyStore). */
import { type ContractContext, storeError } from './context';

const T0 = new Date('2025-03-01T10:00:00.000Z');
const sec = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const in10min = sec(600).toISOString();

export function onceKeysContract(ctx: ContractContext): void {
  it('is true the first time a key is presented and false while it is remembered', async () => {
    expect(await ctx.store.rememberOnce('slack:v0:aa', in10min, T0)).toBe(true);
    expect(await ctx.store.rememberOnce('slack:v0:aa', in10min, sec(1))).toBe(false);
    expect(await ctx.store.rememberOnce('slack:v0:aa', in10min, sec(599))).toBe(false);
    expect(await ctx.store.rememberOnce('slack:v0:bb', in10min, sec(2))).toBe(true);
  });

  it('counts a key as new again once its expiry has passed', async () => {
    expect(await ctx.store.rememberOnce('k', sec(60).toISOString(), T0)).toBe(true);
    expect(await ctx.store.rememberOnce('k', in10min, sec(59.999))).toBe(false);
    // Expired exactly at its expiry.
    expect(await ctx.store.rememberOnce('k', in10min, sec(60))).toBe(true);
    expect(await ctx.store.rememberOnce('k', in10min, sec(61))).toBe(false);
  });

  it('remembers a key for every handle on the database', async () => {
    const peer = await ctx.openPeer();
    expect(await ctx.store.rememberOnce('k1', in10min, T0)).toBe(true);
    expect(await peer.rememberOnce('k1', in10min, sec(1))).toBe(false);
    expect(await peer.rememberOnce('k2', in10min, sec(1))).toBe(true);
    expect(await ctx.store.rememberOnce('k2', in10min, sec(2))).toBe(false);
  });

  it('gives a key to exactly one of many racing callers on several handles', async () => {
    const peer = await ctx.openPeer();
    const firsts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? peer : ctx.store).rememberOnce('race', in10min, T0)),
    );
    expect(firsts.filter(Boolean)).toHaveLength(1);
  });

  it('answers many keys presented at once, each for itself', async () => {
    expect(await ctx.store.rememberOnce('held', in10min, T0)).toBe(true);
    expect(await ctx.store.rememberOnce('lapsed', sec(30).toISOString(), T0)).toBe(true);
    const fresh = Array.from({ length: 20 }, (_, i) => `new-${i}`);
    const answers = await Promise.all([
      ctx.store.rememberOnce('held', in10min, sec(61)),
      ...fresh.map((key) => ctx.store.rememberOnce(key, in10min, sec(61))),
      ctx.store.rememberOnce('lapsed', in10min, sec(31)),
      // The same key twice at once: one of them is first.
      ctx.store.rememberOnce('new-3', in10min, sec(61)),
    ]);
    expect(answers).toEqual([false, ...fresh.map(() => true), true, false]);
    expect(await ctx.store.rememberOnce('new-19', in10min, sec(62))).toBe(false);
  });

  it('refuses an expiry that is not a time, without putting the key in the message', async () => {
    const error = await storeError(ctx.store.rememberOnce('v0=secret-looking-signature', 'not a time', T0));
    expect(error.message).not.toMatch(/secret-looking-signature/);
    expect(await ctx.store.rememberOnce('v0=secret-looking-signature', in10min, T0)).toBe(true);
  });
}
