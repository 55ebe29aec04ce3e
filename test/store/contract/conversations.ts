/** Store contract: conversation references for proactive posts (ConversationRefStore). */
import { type ContractContext, expectTimeBetween } from './context';

export function conversationsContract(ctx: ContractContext): void {
  it('upserts per platform and conversation, and lists a platform’s references by conversation id', async () => {
    const before = new Date();
    await ctx.store.saveConversationRef('teams', '19:def', { v: 1 });
    await ctx.store.saveConversationRef('teams', '19:abc', { serviceUrl: 'https://a', v: 1 });
    await ctx.store.saveConversationRef('teams', '19:abc', { serviceUrl: 'https://a', v: 2 });
    await ctx.store.saveConversationRef('slack', '19:abc', { v: 'slack' });
    const after = new Date();
    expect(await ctx.store.getConversationRef('teams', '19:abc')).toEqual({ serviceUrl: 'https://a', v: 2 });
    expect(await ctx.store.getConversationRef('slack', '19:abc')).toEqual({ v: 'slack' });
    expect(await ctx.store.getConversationRef('slack', '19:def')).toBeUndefined();
    const list = await ctx.store.listConversationRefs('teams');
    expect(list.map((r) => [r.platform, r.conversationId, r.ref])).toEqual([
      ['teams', '19:abc', { serviceUrl: 'https://a', v: 2 }],
      ['teams', '19:def', { v: 1 }],
    ]);
    for (const r of list) expectTimeBetween(r.updatedAt, before, after);
    expect(await ctx.store.listConversationRefs('cli')).toEqual([]);
  });

  it('shares references between handles', async () => {
    const peer = await ctx.openPeer();
    await peer.saveConversationRef('teams', '19:x', { v: 1 });
    expect(await ctx.store.getConversationRef('teams', '19:x')).toEqual({ v: 1 });
  });
}
