/**
 * OAuth set-up: the configuration refuses what is incomplete or mixed, naming what to set; the
 * installations' seal opens only with its key, for its own row, unchanged.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Installation } from '@slack/oauth';
import { parse as parseYaml } from 'yaml';
import {
  installationKey,
  seal,
  sealedInstallationStore,
  unseal,
} from '../../adapters/slack/installation-store';
import { loadConfig } from '../../src/config/load';
import { parseSlackTarget } from '../../src/config/slack-targets';
import { ConfigError } from '../../src/core/errors';
import { openStore } from '../../src/store';
import { OAUTH_ENV } from '../support/fake-slack-oauth';

const OAUTH = { slack: { oauth: { scopes: ['commands', 'chat:write'] } } };

function load(document: Record<string, unknown>, env: Record<string, string>) {
  return () => loadConfig({ document, env: { SLACK_SIGNING_SECRET: 's', ...env } });
}

describe('OAuth configuration', () => {
  it('loads the app credentials and the encryption key (base64 or hex)', () => {
    const config = load(OAUTH, OAUTH_ENV)();
    expect(config.env.slack?.botToken).toBeUndefined();
    expect(config.env.slack?.oauth?.clientId).toBe(OAUTH_ENV.SLACK_CLIENT_ID);
    expect(Buffer.from(config.env.slack?.oauth?.encryptionKey ?? '', 'base64')).toHaveLength(32);
    const hex = randomBytes(32).toString('hex');
    const fromHex = load(OAUTH, { ...OAUTH_ENV, CIS_BOT_ENCRYPTION_KEY: hex })();
    expect(Buffer.from(fromHex.env.slack?.oauth?.encryptionKey ?? '', 'base64').toString('hex')).toBe(hex);
  });

  it('refuses missing or mixed settings, naming what to set or unset', () => {
    const { CIS_BOT_ENCRYPTION_KEY: _key, ...withoutKey } = OAUTH_ENV;
    expect(load(OAUTH, withoutKey)).toThrow(ConfigError);
    expect(load(OAUTH, withoutKey)).toThrow(
      /CIS_BOT_ENCRYPTION_KEY must be set too.*openssl rand -base64 32/s,
    );
    expect(load(OAUTH, { ...OAUTH_ENV, CIS_BOT_ENCRYPTION_KEY: 'short' })).toThrow(/32 random bytes/);
    expect(load(OAUTH, { ...OAUTH_ENV, SLACK_STATE_SECRET: 'tooshort' })).toThrow(/at least 32 characters/);
    expect(load(OAUTH, { ...OAUTH_ENV, SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/choose one/);
    expect(load({}, OAUTH_ENV)).toThrow(/SLACK_CLIENT_ID is set but slack.oauth is not/);
    expect(load({ slack: { allowed_teams: ['T0ACME0001'] } }, { SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(
      /slack.allowed_teams apply to OAuth installations only/,
    );
    expect(load({ slack: { ...OAUTH.slack, allowed_teams: ['acme'] } }, OAUTH_ENV)).toThrow(/T….*E…/);
  });
});

describe('Slack targets of schedules and drift alerts', () => {
  const daily = (slack: string[]) => ({ name: 'daily', cron: '0 7 * * *', targets: { slack } });
  const eventsTo = (slack: unknown[]) => ({
    queue_url: 'https://sqs.eu-west-2.amazonaws.com/123456789012/cis-bot-events',
    targets: { slack },
  });

  it('with OAuth, a target names its workspace: T…/C…, E…/C… (org-wide) or E…:T…/C…', () => {
    const config = load(
      {
        ...OAUTH,
        schedules: [daily(['T0ACME0001/C0SECOPS01', 'E0GRID0001/C0GRIDOPS1'])],
        events: eventsTo([
          'E0GRID0001:T0GRIDWS01/C0WSOPS001',
          { id: 'T0ACME0001/C0PAGING01', level: 'error' },
        ]),
      },
      OAUTH_ENV,
    )();
    expect(config.schedules[0]?.targets.slack).toEqual(['T0ACME0001/C0SECOPS01', 'E0GRID0001/C0GRIDOPS1']);
  });

  it('with OAuth, a target without a workspace is a configuration error naming the form to use', () => {
    const noWorkspace = load(
      {
        ...OAUTH,
        schedules: [daily(['C0SECOPS01'])],
        events: eventsTo([{ id: 'C0PAGING01', level: 'error' }]),
      },
      OAUTH_ENV,
    );
    expect(noWorkspace).toThrow(ConfigError);
    expect(noWorkspace).toThrow(
      /schedules\[0\] "daily" targets\.slack: "C0SECOPS01" names no workspace.*T0123ACME\/C0123SECOPS/,
    );
    expect(noWorkspace).toThrow(/events\.targets\.slack: "C0PAGING01" names no workspace/);
    expect(load({ ...OAUTH, schedules: [daily(['acme/C0SECOPS01'])] }, OAUTH_ENV)).toThrow(
      /"acme\/C0SECOPS01" is not a Slack target: write it as WORKSPACE\/CHANNEL/,
    );
    expect(
      load(
        {
          slack: { ...OAUTH.slack, allowed_teams: ['T0ACME0001'] },
          schedules: [daily(['T0BETA0001/C0X0000001'])],
        },
        OAUTH_ENV,
      ),
    ).toThrow(/T0BETA0001, which is not in slack\.allowed_teams/);
  });

  it("README's example of targets with OAuth loads as written", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**Digests and drift alerts with OAuth.**'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const example = parseYaml(yaml) as Record<string, unknown>;
    const config = load({ ...example, ...OAUTH }, OAUTH_ENV)();
    expect(config.schedules[0]?.targets.slack).toHaveLength(3);
    expect(config.events.targets.slack).toHaveLength(2);
  });

  it('with one bot token, plain channel ids keep working and a workspace form is refused', () => {
    const config = load({ schedules: [daily(['C0SECOPS01'])] }, { SLACK_BOT_TOKEN: 'xoxb-1' })();
    expect(config.schedules[0]?.targets.slack).toEqual(['C0SECOPS01']);
    expect(load({ schedules: [daily(['T0ACME0001/C0SECOPS01'])] }, { SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(
      /names a workspace, which only slack\.oauth.*\("C0SECOPS01"\)/,
    );
  });
});

describe('sealed installations', () => {
  const key = randomBytes(32);
  const row = installationKey({ teamId: 'T0ACME0001' }) as string;

  it('keys workspaces and organisations apart', () => {
    expect(row).toBe('-:T0ACME0001');
    expect(installationKey({ teamId: 'T0WS', enterpriseId: 'E0ORG' })).toBe('E0ORG:T0WS');
    expect(installationKey({ teamId: 'T0WS', enterpriseId: 'E0ORG', isEnterpriseInstall: true })).toBe(
      'E0ORG:*',
    );
    expect(installationKey({ isEnterpriseInstall: true })).toBeUndefined();
  });

  it('opens with its key for its own row only, and not once changed', () => {
    const sealed = seal(key, row, '{"bot":{"token":"xoxb-secret"}}');
    expect(sealed).not.toContain('xoxb');
    expect(unseal(key, row, sealed)).toBe('{"bot":{"token":"xoxb-secret"}}');
    expect(() => unseal(randomBytes(32), row, sealed)).toThrow();
    expect(() => unseal(key, '-:T0OTHER001', sealed)).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] as string, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    expect(() => unseal(key, row, [...parts.slice(0, 3), body.toString('base64url')].join('.'))).toThrow();
    // Two seals of the same text differ (a fresh IV each time).
    expect(seal(key, row, 'x')).not.toBe(seal(key, row, 'x'));
  });
});

describe('the installation a target posts with', () => {
  const installation = (token: string, team?: string, enterprise?: string): Installation =>
    ({
      team: team ? { id: team } : undefined,
      enterprise: enterprise ? { id: enterprise } : undefined,
      isEnterpriseInstall: team === undefined,
      bot: { token, id: 'B0CISBOT01', userId: 'UCISBOT01', scopes: [] },
      user: { id: 'U0ADMIN001', token: undefined, scopes: undefined },
    }) as unknown as Installation;

  it('finds a workspace by its id in any organisation, an organisation by its org-wide install, and a workspace of an organisation through either', async () => {
    const store = openStore(':memory:');
    const sealed = sealedInstallationStore({ store, key: randomBytes(32) });
    try {
      await sealed.storeInstallation(installation('xoxb-acme', 'T0ACME0001'));
      await sealed.storeInstallation(installation('xoxb-gridws', 'T0GRIDWS01', 'E0GRID0001'));
      await sealed.storeInstallation(installation('xoxb-grid', undefined, 'E0GRID0001'));
      const tokenFor = async (target: string) =>
        (await sealed.findWorkspace(parseSlackTarget(target)?.workspace ?? {}))?.bot?.token;
      expect(await tokenFor('T0ACME0001/C0OPS00001')).toBe('xoxb-acme');
      // Installed in its organisation on its own: found by the workspace id alone, or with the organisation.
      expect(await tokenFor('T0GRIDWS01/C0OPS00001')).toBe('xoxb-gridws');
      expect(await tokenFor('E0GRID0001:T0GRIDWS01/C0OPS00001')).toBe('xoxb-gridws');
      // A workspace of the organisation without its own installation: the org-wide one, when named.
      expect(await tokenFor('E0GRID0001:T0GRIDWS02/C0OPS00001')).toBe('xoxb-grid');
      expect(await tokenFor('E0GRID0001/C0OPS00001')).toBe('xoxb-grid');
      expect(await tokenFor('T0GRIDWS02/C0OPS00001')).toBeUndefined();
      expect(await tokenFor('E0OTHER001/C0OPS00001')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
