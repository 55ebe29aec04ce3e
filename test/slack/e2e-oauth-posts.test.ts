/**
 * What cis-bot posts on its own with OAuth (installations in many workspaces): digests and drift alerts
 * go to targets that name their workspace (`T…/C…`), each posted with the token of that workspace's
 * installation, looked up in the store when it is posted; a target whose workspace has no installation is
 * a logged error for that target while the others are posted; and the buttons of those posts are served
 * as the workspace they were posted to. Real bot server, real Bolt receiver with signed requests, the
 * install flow through the fake Slack's oauth.v2.access, the AWS sandbox.
 */
import { DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { createLoggerFactory } from '../../src/logger';
import { cloudWatchAs, eventsSettings, PROD, scenarioWithQueue, waitFor } from '../events/helpers';
import type { FakeMessage } from '../support/fake-slack-api';
import { FakeSlackOAuth } from '../support/fake-slack-oauth';
import {
  ALICE,
  BOB,
  buttonsOf,
  CAROL,
  type E2E,
  type E2EOptions,
  type RequestTeam,
  startE2E,
  textOf,
} from './e2e-harness';
import {
  ACME,
  ACME_TOKEN,
  BETA,
  BETA_TOKEN,
  DEV,
  type InstallFlow,
  installFlow,
  startInstalled,
} from './oauth-flow';

/** A workspace named by a target that never installed the app. */
const GONE = 'T0GONE0001';
const ACME_OPS = 'C0ACMEOPS1';
const BETA_OPS = 'C0BETAOPS1';
const GONE_OPS = 'C0GONEOPS1';
const TARGETS = [`${ACME.teamId}/${ACME_OPS}`, `${BETA.teamId}/${BETA_OPS}`, `${GONE}/${GONE_OPS}`];

let e: E2E;
let oauth: FakeSlackOAuth;
let install: InstallFlow['install'];
let logLines: string[];

async function start(options: Omit<E2EOptions, 'oauth' | 'loggers'>): Promise<void> {
  logLines = [];
  const started = await startInstalled({
    ...options,
    loggers: createLoggerFactory({ level: 'info', write: (line) => logLines.push(line) }),
  });
  ({ e, oauth } = started);
  install = started.flow.install;
}

/** The digest message (or continuation in its thread) with the Remediate button for `account`, and its index. */
function remediateButton(channel: string, account: string): { digest: FakeMessage; nth: number } {
  const [first] = e.fake.channelMessages(channel);
  if (first === undefined) throw new Error(`no digest in ${channel}`);
  const digest = [first, ...e.fake.thread(channel, first.ts)].find((m) =>
    buttonsOf(m).some((b) => b.value.includes(account)),
  );
  if (digest === undefined) throw new Error(`no Remediate button for ${account} in ${channel}`);
  return { digest, nth: buttonsOf(digest).findIndex((b) => b.value.includes(account)) };
}

/** The tokens the messages of a channel were posted with. */
function tokensIn(channel: string): Set<string | undefined> {
  return new Set(
    e.fake.calls
      .filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel)
      .map((c) => c.token),
  );
}

function logged(msg: string): Array<Record<string, unknown>> {
  return logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);
}

afterEach(async () => {
  await e.close();
});

describe('digests', () => {
  beforeEach(async () => {
    await start({
      document: {
        schedules: [{ name: 'daily', cron: '0 7 * * *', controls: ['4.1'], targets: { slack: TARGETS } }],
      },
    });
  });

  it("posts to each target's workspace with that workspace's token; a workspace without an installation is a logged error for its target only", async () => {
    const result = await e.bot.scheduler.runNow('daily');
    expect(result.outcome).toBe('partially-posted');
    expect(result.deliveries).toEqual([
      { platform: 'slack', id: TARGETS[0] },
      { platform: 'slack', id: TARGETS[1] },
      {
        platform: 'slack',
        id: TARGETS[2],
        error: expect.stringMatching(/not installed in the Slack workspace T0GONE0001.*\/slack\/install/),
      },
    ]);
    expect(e.fake.channelMessages(ACME_OPS).length).toBeGreaterThan(0);
    expect(e.fake.channelMessages(BETA_OPS).length).toBeGreaterThan(0);
    expect(tokensIn(ACME_OPS)).toEqual(new Set([ACME_TOKEN]));
    expect(tokensIn(BETA_OPS)).toEqual(new Set([BETA_TOKEN]));
    // The target without an installation: nothing sent anywhere for it, and the log says why.
    expect(e.fake.calls.filter((c) => c.args.channel === GONE_OPS)).toEqual([]);
    expect(logged('digest not posted to a target')).toEqual([
      expect.objectContaining({
        level: 'error',
        target: TARGETS[2],
        errorName: 'SlackNotInstalledError',
        error: expect.stringContaining(GONE),
      }),
    ]);
    expect(logLines.join('\n')).not.toMatch(/xoxb-/);
    // At start-up nothing was installed yet: the bot said which targets could not be posted to.
    expect(
      logged(
        'Slack targets name workspaces without an installation: posts to them fail until cis-bot is installed there',
      ),
    ).toEqual([expect.objectContaining({ level: 'warn', targets: TARGETS })]);
    // What a start now would say: only the workspace that never installed.
    expect(await e.bot.slack?.uninstalledTargets(TARGETS)).toEqual([TARGETS[2]]);
  });

  it("an uninstalled workspace's targets fail from then on; a re-install's token is used at once", async () => {
    await e.services.store.deleteSlackInstallation(`-:${BETA.teamId}`);
    const after = await e.bot.scheduler.runNow('daily');
    expect(after.deliveries.filter((d) => d.error === undefined).map((d) => d.id)).toEqual([TARGETS[0]]);
    expect(e.fake.channelMessages(BETA_OPS)).toEqual([]);
    oauth.grant('code-beta-again', { token: 'xoxb-beta-1111111111-reinstalled', teamId: BETA.teamId });
    expect((await install('code-beta-again')).status).toBe(200);
    await e.bot.scheduler.runNow('daily');
    expect(tokensIn(BETA_OPS)).toEqual(new Set(['xoxb-beta-1111111111-reinstalled']));
  });

  it("the digest's buttons are served as the workspace it was posted to: its approvers decide, another workspace cannot", async () => {
    await e.bot.scheduler.runNow('daily');
    const { digest, nth } = remediateButton(BETA_OPS, DEV);
    // Alice asks for the plan from BETA's digest: it is BETA's, posted in the digest's thread with BETA's token.
    await e.click(digest, 'cis:remediate', ALICE, { team: BETA, nth });
    const plan = await waitFor('the plan', () =>
      e.fake
        .thread(BETA_OPS, digest.threadTs ?? digest.ts)
        .find((m) => buttonsOf(m).some((b) => b.action_id.includes('approve'))),
    );
    expect(tokensIn(BETA_OPS)).toEqual(new Set([BETA_TOKEN]));
    const [approval] = await e.services.store.listApprovals();
    expect(approval?.requestedBy.platform).toBe(`slack:${BETA.teamId}`);
    // Bob approves ACME's plans, not BETA's: from ACME (a shared channel) the approval is not his to decide.
    await e.click(plan, 'cis:approve', BOB, { team: ACME });
    expect((await e.services.store.listApprovals()).map((a) => a.state)).toEqual(['requested']);
    expect(e.fake.ephemerals.filter((m) => m.user === BOB.id).map((m) => m.text)).toEqual([
      expect.stringMatching(/requested on slack:T0BETA0001; it can only be approved or rejected there/),
    ]);
    // Carol, BETA's approver, decides it from BETA.
    await e.click(plan, 'cis:approve', CAROL, { team: BETA });
    expect((await e.services.store.listApprovals()).map((a) => a.state)).toEqual(['succeeded']);
    // Everything but Bob's refusal (shown to him by his workspace's installation) was BETA's.
    const acmeInBeta = e.fake.calls.filter((c) => c.token === ACME_TOKEN && c.args.channel === BETA_OPS);
    expect(acmeInBeta.map((c) => c.method)).toEqual(['chat.postEphemeral']);
  });
});

describe('digests in Enterprise Grid', () => {
  const GRID = 'E0GRID0001';
  const GRID_TOKEN = 'xoxb-grid-0000000000-org-wide';
  const WS_ONE: RequestTeam = { teamId: 'T0GRIDWS01', enterpriseId: GRID, enterpriseInstall: true };
  const GRID_OPS = 'C0GRIDOPS1';
  const WS_OPS = 'C0WSOPS001';

  beforeEach(async () => {
    oauth = new FakeSlackOAuth();
    logLines = [];
    e = await startE2E({
      oauth,
      document: {
        schedules: [
          {
            name: 'daily',
            cron: '0 7 * * *',
            controls: ['4.1'],
            targets: { slack: [`${GRID}/${GRID_OPS}`, `${GRID}:${WS_ONE.teamId}/${WS_OPS}`] },
          },
        ],
      },
    });
    oauth.grant('code-grid', {
      token: GRID_TOKEN,
      teamId: GRID,
      enterpriseId: GRID,
      isEnterpriseInstall: true,
    });
    expect((await installFlow(() => e.baseUrl).install('code-grid')).status).toBe(200);
  });

  it("posts through the organisation's org-wide install, and its buttons are the organisation's", async () => {
    const result = await e.bot.scheduler.runNow('daily');
    expect(result.outcome).toBe('posted');
    expect(tokensIn(GRID_OPS)).toEqual(new Set([GRID_TOKEN]));
    // A workspace of the organisation without an installation of its own: the org-wide one posts there.
    expect(tokensIn(WS_OPS)).toEqual(new Set([GRID_TOKEN]));
    const { digest, nth } = remediateButton(WS_OPS, DEV);
    await e.click(digest, 'cis:remediate', ALICE, { team: WS_ONE, nth });
    const [approval] = await e.services.store.listApprovals();
    expect(approval?.requestedBy.platform).toBe(`slack:${GRID}`);
    expect(new Set(e.fake.calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.token))).toEqual(
      new Set([GRID_TOKEN]),
    );
  });
});

describe('drift alerts', () => {
  beforeEach(async () => {
    await start({
      scenario: scenarioWithQueue(),
      document: (run) =>
        eventsSettings(run, [TARGETS[0], { id: TARGETS[1], level: 'error' }, TARGETS[2]], {
          controls: ['4.1'],
        }),
    });
  });

  it("post to each target's workspace with its token; the workspace without an installation is a delivery error, the others are posted", async () => {
    await e.command(`4.1 audit --account ${PROD}`, { team: ACME, channel: ACME_OPS });
    const cw = cloudWatchAs(e.run, PROD);
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({}));
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: [MetricAlarms?.[0]?.AlarmName as string] }));
    cw.destroy();
    const [alert] = await waitFor('the drift alert in the audit log', async () => {
      const found = await e.services.store.listAuditLog({ kinds: ['drift-alert'] });
      return found.length > 0 ? found : undefined;
    });
    const detail = alert?.detail as { deliveries: unknown[] } | undefined;
    expect(detail?.deliveries).toEqual([
      { platform: 'slack', id: TARGETS[0] },
      { platform: 'slack', id: TARGETS[1] },
      {
        platform: 'slack',
        id: TARGETS[2],
        error: expect.stringMatching(/not installed in the Slack workspace T0GONE0001/),
      },
    ]);
    for (const [channel, token] of [
      [ACME_OPS, ACME_TOKEN],
      [BETA_OPS, BETA_TOKEN],
    ] as const) {
      const posted = e.fake
        .channelMessages(channel)
        .find((m) => textOf(m).includes('NON-COMPLIANT in account'));
      expect(posted).toBeDefined();
      const post = e.fake.calls.find((c) => c.method === 'chat.postMessage' && c.response.ts === posted?.ts);
      expect(post?.token).toBe(token);
    }
    // The alert's Remediate button in BETA is BETA's: the plan comes in its thread, with BETA's token.
    const betaAlert = e.fake
      .channelMessages(BETA_OPS)
      .find((m) => textOf(m).includes('NON-COMPLIANT in account'));
    if (betaAlert === undefined) throw new Error('no alert in BETA');
    await e.click(betaAlert, 'cis:remediate', ALICE, { team: BETA });
    await waitFor('the plan in the alert thread', () =>
      e.fake
        .thread(BETA_OPS, betaAlert.ts)
        .find((m) => buttonsOf(m).some((b) => b.action_id.includes('approve'))),
    );
    expect(tokensIn(BETA_OPS)).toEqual(new Set([BETA_TOKEN]));
    const [approval] = await e.services.store.listApprovals();
    expect(approval?.requestedBy.platform).toBe(`slack:${BETA.teamId}`);
    expect(logged('drift alert not posted to a target')).toEqual([
      expect.objectContaining({ target: TARGETS[2], errorName: 'SlackNotInstalledError' }),
    ]);
  });
});
