/** Store contract: Slack OAuth installations (SlackInstallationStore). */
import type { SlackInstallationRecord } from '../../../src/core/ports/store';
import { type ContractContext, storeError, T0 } from './context';

const TEAM: SlackInstallationRecord = {
  key: '-:T0ACME001',
  teamId: 'T0ACME001',
  enterpriseInstall: false,
  sealed: 'v1.sealed-team',
  installedAt: T0,
};
const ORG: SlackInstallationRecord = {
  key: 'E0GRID001:*',
  enterpriseId: 'E0GRID001',
  enterpriseInstall: true,
  sealed: 'v1.sealed-org',
  installedAt: T0,
};
const GRID_TEAM: SlackInstallationRecord = {
  key: 'E0GRID001:T0GRIDWS1',
  enterpriseId: 'E0GRID001',
  teamId: 'T0GRIDWS1',
  enterpriseInstall: false,
  sealed: 'v1.sealed-grid-team',
  installedAt: T0,
};

export function slackInstallationsContract(ctx: ContractContext): void {
  it('stores installations by key with their ids, and reads them back as stored (listed in byte order of the key)', async () => {
    expect(await ctx.store.getSlackInstallation(TEAM.key)).toBeUndefined();
    for (const record of [TEAM, ORG, GRID_TEAM]) await ctx.store.saveSlackInstallation(record);
    expect(await ctx.store.getSlackInstallation(TEAM.key)).toEqual(TEAM);
    expect(await ctx.store.getSlackInstallation(ORG.key)).toEqual(ORG);
    expect(await ctx.store.getSlackInstallation(GRID_TEAM.key)).toEqual(GRID_TEAM);
    expect((await ctx.store.listSlackInstallations()).map((r) => r.key)).toEqual([
      TEAM.key,
      ORG.key,
      GRID_TEAM.key,
    ]);
  });

  it('a re-install replaces the installation; an uninstall removes it once, on every replica', async () => {
    await ctx.store.saveSlackInstallation(TEAM);
    const later = new Date(Date.parse(T0) + 60_000).toISOString();
    await ctx.store.saveSlackInstallation({ ...TEAM, sealed: 'v1.sealed-again', installedAt: later });
    const peer = await ctx.openPeer();
    expect(await peer.getSlackInstallation(TEAM.key)).toEqual({
      ...TEAM,
      sealed: 'v1.sealed-again',
      installedAt: later,
    });
    expect(await ctx.store.listSlackInstallations()).toHaveLength(1);
    const removals = await Promise.all([ctx.store, peer].map((s) => s.deleteSlackInstallation(TEAM.key)));
    expect(removals.filter(Boolean)).toHaveLength(1);
    expect(await peer.getSlackInstallation(TEAM.key)).toBeUndefined();
    expect(await ctx.store.deleteSlackInstallation(TEAM.key)).toBe(false);
  });

  it('refuses an installation time that is not a time, storing nothing', async () => {
    await storeError(ctx.store.saveSlackInstallation({ ...TEAM, installedAt: 'yesterday' }));
    expect(await ctx.store.listSlackInstallations()).toEqual([]);
  });
}
