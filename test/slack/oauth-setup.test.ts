/**
 * OAuth set-up: the configuration refuses what is incomplete or mixed, naming what to set; the
 * installations' seal opens only with its key, for its own row, unchanged.
 */
import { randomBytes } from 'node:crypto';
import { installationKey, seal, unseal } from '../../adapters/slack/installation-store';
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/core/errors';
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
