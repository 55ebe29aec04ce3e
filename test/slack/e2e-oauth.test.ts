/**
 * Installations in many workspaces (slack.oauth) end to end: the bot server with the app's OAuth settings
 * and no bot token; Slack's install flow driven over loopback as a browser and Slack would drive it
 * (GET /slack/install → Slack's authorize URL with a state and its cookie → GET /slack/oauth_redirect with
 * the code → oauth.v2.access on the fake Web API at SLACK_API_URL); then signed commands and clicks from
 * several workspaces, each served with its own installation's token and settings. Bad input (forged,
 * replayed or missing state, no code, a workspace not allowed, a workspace without an installation) is
 * refused clearly, stores nothing, and is audit-logged.
 */
import { FakeSlackOAuth } from '../support/fake-slack-oauth';
import {
  ALICE,
  awsWrites,
  BOB,
  CAROL,
  CHANNEL,
  type E2E,
  type RequestTeam,
  startE2E,
  textOf,
} from './e2e-harness';
import { postSigned } from './helpers';
import { ACME, ACME_TOKEN, BETA, BETA_TOKEN, DEV, installFlow } from './oauth-flow';

const EVIL: RequestTeam = { teamId: 'T0EVIL0001' };

let e: E2E;
let oauth: FakeSlackOAuth;

const { startInstall, redirect, install } = installFlow(() => e.baseUrl);

async function refusals(reason: string) {
  const log = await e.services.store.listAuditLog({ limit: 1000 });
  return log.filter((entry) => JSON.stringify(entry).includes(`"${reason}"`));
}

function tokensOf(method: string): string[] {
  return e.fake.callsTo(method).map((c) => c.token ?? '');
}

describe('OAuth over HTTP', () => {
  beforeEach(async () => {
    oauth = new FakeSlackOAuth();
    e = await startE2E({
      oauth,
      document: {
        slack: {
          allowed_teams: [ACME.teamId, BETA.teamId],
          workspaces: {
            [BETA.teamId]: { allowed_channels: [CHANNEL], approvers: { users: [CAROL.id] } },
          },
        },
      },
    });
    oauth.grant('code-acme', { token: ACME_TOKEN, teamId: ACME.teamId, installerId: ALICE.id });
    oauth.grant('code-beta', { token: BETA_TOKEN, teamId: BETA.teamId });
  });

  afterEach(async () => {
    await e.close();
  });

  it('installs through Slack, stores the tokens sealed, and serves each workspace with its own token', async () => {
    const { location } = await startInstall();
    expect(location).toMatch(/^https:\/\/slack\.com\/oauth\/v2\/authorize\?/);
    expect(new URL(location).searchParams.get('scope')).toBe(
      'commands,chat:write,chat:write.public,usergroups:read',
    );
    expect((await install('code-acme')).status).toBe(200);
    expect((await install('code-beta')).status).toBe(200);
    // oauth.v2.access went to SLACK_API_URL; the stored installations never hold a token in clear.
    expect(e.fake.callsTo('oauth.v2.access')).toHaveLength(2);
    const stored = await e.services.store.listSlackInstallations();
    expect(stored.map((r) => r.key)).toEqual([`-:${ACME.teamId}`, `-:${BETA.teamId}`]);
    for (const record of stored) {
      expect(record.sealed).not.toContain('xoxb');
      expect(record.sealed).toMatch(/^v1\./);
    }

    // Each install is on the audit log: who installed it, where, when; never the token.
    const installs = (await e.services.store.listAuditLog({ kinds: ['app-installed'] })).reverse();
    expect(installs).toEqual([
      expect.objectContaining({
        platform: `slack:${ACME.teamId}`,
        actor: { platform: `slack:${ACME.teamId}`, userId: ALICE.id },
        detail: expect.objectContaining({ team: ACME.teamId, enterprise: null, orgWide: false }),
      }),
      expect.objectContaining({
        platform: `slack:${BETA.teamId}`,
        actor: { platform: `slack:${BETA.teamId}`, userId: 'U0ADMIN001' },
        detail: expect.objectContaining({ team: BETA.teamId, installation: `-:${BETA.teamId}` }),
      }),
    ]);
    for (const entry of installs) expect(Date.parse(entry.at)).not.toBeNaN();
    expect(JSON.stringify(await e.services.store.listAuditLog({ limit: 1000 }))).not.toMatch(/xoxb/);

    const acme = await e.command('help', { team: ACME });
    expect(acme.responses.map((r) => r.text).join()).not.toMatch(/not installed/);
    await e.command(`4.1 audit --account ${DEV}`, { team: ACME });
    await e.command(`4.1 audit --account ${DEV}`, { team: BETA });
    expect(new Set(tokensOf('chat.postMessage'))).toEqual(new Set([ACME_TOKEN, BETA_TOKEN]));
    const posts = e.fake.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === undefined);
    expect(posts.filter((c) => c.token === ACME_TOKEN)).toHaveLength(1);
    expect(posts.filter((c) => c.token === BETA_TOKEN)).toHaveLength(1);
  });

  it('refuses a workspace without an installation: told where to install, audit-logged, nothing runs', async () => {
    await install('code-acme');
    const result = await e.command(`4.1 audit --account ${DEV}`, { team: BETA });
    expect(result.status).toBe(200);
    // The refusal is the command's ack, shown to the user only.
    expect(JSON.parse(result.text)).toEqual({
      response_type: 'ephemeral',
      text: expect.stringMatching(/not installed in this workspace \(T0BETA0001\).*\/slack\/install/),
    });
    expect(e.fake.callsTo('chat.postMessage')).toEqual([]);
    expect(e.run.sandbox.calls).toEqual([]);
    const logged = await refusals('not-installed');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain(BETA.teamId);
  });

  it('an approval requested in one workspace cannot be decided from another (audit-logged); its own approvers decide it', async () => {
    await install('code-acme');
    await install('code-beta');
    // Alice asks in ACME, in a channel shared with BETA (Slack Connect: the same channel id in both).
    const plan = await e.command(`4.1 remediate --account ${DEV}`, { team: ACME });
    if (!plan.message) throw new Error('no plan posted');
    const message = structuredClone(plan.message);
    // Carol approves BETA's plans (slack.workspaces); from BETA, ACME's plan is not hers to decide.
    await e.click(message, 'cis:approve', CAROL, { team: BETA });
    const approvals = await e.services.store.listApprovals();
    expect(approvals.map((a) => a.state)).toEqual(['requested']);
    expect(awsWrites(e.run)).toEqual([]);
    const ephemeral = e.fake.ephemerals.filter((m) => m.user === CAROL.id).map((m) => m.text);
    expect(ephemeral).toEqual([expect.stringMatching(/requested on slack:T0ACME0001/)]);
    const log = await e.services.store.listAuditLog({ limit: 1000 });
    expect(
      log.some((entry) => entry.kind === 'refused' && JSON.stringify(entry).includes('slack:T0BETA0001')),
    ).toBe(true);
    // Bob is an approver with the top-level settings ACME uses: from ACME, it runs.
    await e.click(message, 'cis:approve', BOB, { team: ACME });
    expect((await e.services.store.listApprovals()).map((a) => a.state)).toEqual(['succeeded']);
    expect(awsWrites(e.run)).toEqual(['PutMetricFilter']);
    expect(tokensOf('chat.update').every((t) => t === ACME_TOKEN)).toBe(true);
  });

  it("a workspace's own settings apply to it: its allowed channels", async () => {
    await install('code-beta');
    const refused = await e.command('history', { team: BETA, channel: 'C0ELSEWHERE' });
    expect(refused.responses.map((r) => r.text)).toEqual([
      expect.stringMatching(/slack\.workspaces\.T0BETA0001\.allowed_channels/),
    ]);
  });

  it('refuses a forged, replayed or missing state, a redirect without code and a workspace not allowed: nothing stored, audit-logged', async () => {
    // Forged: a state the bot never issued (with a matching cookie, as an attacker could set).
    const forged = await redirect('code=code-acme&state=forged', 'slack-app-oauth-state=forged');
    expect(forged.status).toBe(400);
    expect(forged.text).toMatch(/not valid/);
    // Replayed: the same state and cookie a second time, after a successful installation.
    const first = await install('code-acme');
    expect(first.status).toBe(200);
    oauth.grant('code-acme-2', { token: 'xoxb-acme-second', teamId: ACME.teamId });
    const replay = await redirect(`code=code-acme-2&state=${encodeURIComponent(first.state)}`, first.cookie);
    expect(replay.status).toBe(400);
    // No code.
    const { state, cookie } = await startInstall();
    const noCode = await redirect(`state=${encodeURIComponent(state)}`, cookie);
    expect(noCode.status).toBe(400);
    expect(noCode.text).toMatch(/no code/);
    // A workspace not in slack.allowed_teams: refused, its fresh token given back.
    oauth.grant('code-evil', { token: 'xoxb-evil-0000', teamId: EVIL.teamId });
    const evil = await install('code-evil');
    expect(evil.status).toBe(403);
    expect(evil.text).toMatch(/T0EVIL0001.*slack\.allowed_teams/);
    expect(oauth.revoked).toEqual(['xoxb-evil-0000']);

    expect((await e.services.store.listSlackInstallations()).map((r) => r.key)).toEqual([`-:${ACME.teamId}`]);
    expect(
      (await e.services.store.listAuditLog({ kinds: ['app-installed'] })).map((r) => r.platform),
    ).toEqual([`slack:${ACME.teamId}`]);
    expect(await refusals('oauth-state-invalid')).toHaveLength(2);
    expect(await refusals('oauth-code-missing')).toHaveLength(1);
    expect(await refusals('team-not-allowed')).toHaveLength(1);
    for (const answer of [forged, replay, noCode, evil]) expect(answer.text).not.toMatch(/at .*\.js:\d+/);
    // The replay's code was never exchanged: the stored installation is the first one.
    expect(e.fake.callsTo('oauth.v2.access').map((c) => c.args.code)).toEqual(['code-acme', 'code-evil']);
  });

  it('app_uninstalled and tokens_revoked remove the installation; the workspace is then refused', async () => {
    await install('code-acme');
    await install('code-beta');
    const event = (team: RequestTeam, type: string, extra: Record<string, unknown>) =>
      JSON.stringify({
        token: 'x',
        team_id: team.teamId,
        api_app_id: 'A0CISBOT01',
        type: 'event_callback',
        event_id: `Ev${type}${team.teamId}`,
        event_time: Math.floor(Date.now() / 1000),
        event: { type, ...extra },
      });
    // Slack checks the events URL first (manifest: event_subscriptions.request_url).
    const check = await postSigned(e.url, {
      body: JSON.stringify({ token: 'x', challenge: 'ch4llenge', type: 'url_verification' }),
      contentType: 'application/json',
    });
    expect(check.status).toBe(200);
    expect(check.text).toContain('ch4llenge');
    const uninstalled = await postSigned(e.url, {
      body: event(ACME, 'app_uninstalled', {}),
      contentType: 'application/json',
    });
    expect(uninstalled.status).toBe(200);
    const revoked = await postSigned(e.url, {
      body: event(BETA, 'tokens_revoked', { tokens: { bot: ['UCISBOT01'] } }),
      contentType: 'application/json',
    });
    expect(revoked.status).toBe(200);
    expect(await e.services.store.listSlackInstallations()).toEqual([]);
    // Each removal is on the audit log, with the event that caused it; an event for a workspace with
    // nothing left to remove (Slack sends both on an uninstall) adds nothing.
    await postSigned(e.url, {
      body: event(ACME, 'tokens_revoked', { tokens: { bot: ['UCISBOT01'] } }),
      contentType: 'application/json',
    });
    const removals = (await e.services.store.listAuditLog({ kinds: ['app-uninstalled'] })).reverse();
    expect(removals.map((r) => [r.platform, (r.detail as { why: string }).why])).toEqual([
      [`slack:${ACME.teamId}`, 'app_uninstalled'],
      [`slack:${BETA.teamId}`, 'tokens_revoked'],
    ]);
    const after = await e.command('history', { team: ACME });
    expect(after.text).toMatch(/not installed/);
  });
});

describe('OAuth in Socket Mode and Enterprise Grid', () => {
  const GRID = 'E0GRID0001';
  const GRID_TOKEN = 'xoxb-grid-0000000000-org-wide';
  const WS_ONE: RequestTeam = { teamId: 'T0GRIDWS01', enterpriseId: GRID, enterpriseInstall: true };
  const WS_TWO: RequestTeam = { teamId: 'T0GRIDWS02', enterpriseId: GRID, enterpriseInstall: true };

  beforeEach(async () => {
    oauth = new FakeSlackOAuth();
    e = await startE2E({
      oauth,
      transport: 'socket',
      document: { slack: { workspaces: { [GRID]: { approvers: { user_groups: ['S0GRIDLEAD'] } } } } },
    });
    oauth.grant('code-grid', {
      token: GRID_TOKEN,
      teamId: GRID,
      enterpriseId: GRID,
      isEnterpriseInstall: true,
      userGroups: { S0GRIDLEAD: [CAROL.id] },
    });
  });

  afterEach(async () => {
    await e.close();
  });

  it('installs org-wide on the one HTTP server while Slack talks over the socket; every workspace of the organisation is served with its token and groups', async () => {
    expect(e.bot.server).toBeDefined();
    expect((await install('code-grid')).status).toBe(200);
    const [record] = await e.services.store.listSlackInstallations();
    expect(record).toMatchObject({ key: `${GRID}:*`, enterpriseId: GRID, enterpriseInstall: true });
    expect(record?.teamId).toBeUndefined();
    const [installed] = await e.services.store.listAuditLog({ kinds: ['app-installed'] });
    expect(installed).toMatchObject({
      platform: `slack:${GRID}`,
      detail: { team: null, enterprise: GRID, orgWide: true, installation: `${GRID}:*` },
    });

    const plan = await e.command(`4.1 remediate --account ${DEV}`, { team: WS_ONE });
    if (!plan.message) throw new Error('no plan posted');
    expect(textOf(plan.message)).toMatch(/put-metric-filter/);
    // Bob is not an approver of the organisation (its own settings list a group of its own)…
    await e.click(structuredClone(plan.message), 'cis:approve', BOB, { team: WS_TWO });
    expect((await e.services.store.listApprovals()).map((a) => a.state)).toEqual(['requested']);
    // …Carol is, through the organisation's user group, read with the organisation's token.
    await e.click(structuredClone(plan.message), 'cis:approve', CAROL, { team: WS_TWO });
    expect((await e.services.store.listApprovals()).map((a) => a.state)).toEqual(['succeeded']);
    const lookups = e.fake.callsTo('usergroups.users.list');
    expect(lookups.map((c) => [c.args.usergroup, c.token])).toContainEqual(['S0GRIDLEAD', GRID_TOKEN]);
    expect(new Set(tokensOf('chat.postMessage'))).toEqual(new Set([GRID_TOKEN]));
    const [approval] = await e.services.store.listApprovals();
    expect(approval?.requestedBy.platform).toBe(`slack:${GRID}`);
  });
});
