/**
 * The Teams settings read from the environment (src/config/load.ts): which tenants are served, and the
 * development flag's limits. Errors are ConfigErrors that say what to set.
 */
import { createTeamsAdapter } from '../../adapters/teams/teams-adapter';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { ConfigError } from '../../src/core/errors';
import { TENANT_ID } from './activities';
import { captureLogger } from './harness';
import { RecordingCore } from './recording-core';

const APP = {
  MicrosoftAppId: '6f1c8f0e-2d1b-4a57-9c0e-0b6c2a7d9e11',
  MicrosoftAppPassword: 'not-a-real-secret',
};
const OTHER = '22222222-3333-4444-8555-666666666666';
const load = (env: Record<string, string>) => loadConfig({ document: {}, env });

describe('tenants', () => {
  test.each([['SingleTenant'], ['MultiTenant']])(
    'a %s bot without any tenant to serve is refused with what to set',
    (appType) => {
      const env = { ...APP, MicrosoftAppType: appType };
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(/MicrosoftAppTenantId/);
    },
  );

  test('MultiTenant with CIS_BOT_TEAMS_ALLOWED_TENANTS: the list is read, trimmed, lower-cased, deduplicated', () => {
    const config = load({
      ...APP,
      MicrosoftAppType: 'MultiTenant',
      CIS_BOT_TEAMS_ALLOWED_TENANTS: ` ${TENANT_ID.toUpperCase()} ,${OTHER},${TENANT_ID}`,
    });
    expect(config.env.teamsAllowedTenants).toEqual([TENANT_ID, OTHER]);
    expect(config.env.teams).toEqual({
      appId: APP.MicrosoftAppId,
      appPassword: APP.MicrosoftAppPassword,
      appType: 'MultiTenant',
    });
  });

  test('MultiTenant with MicrosoftAppTenantId alone is accepted', () => {
    const config = load({ ...APP, MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: TENANT_ID });
    expect(config.env.teams?.tenantId).toBe(TENANT_ID);
    expect(config.env.teamsAllowedTenants).toBeUndefined();
  });

  test('tenant ids must be GUIDs (Teams names tenants by id, never by domain)', () => {
    expect(() =>
      load({
        ...APP,
        MicrosoftAppType: 'MultiTenant',
        CIS_BOT_TEAMS_ALLOWED_TENANTS: `${TENANT_ID},contoso.com`,
      }),
    ).toThrow(/CIS_BOT_TEAMS_ALLOWED_TENANTS must be comma-separated Entra tenant ids.*"contoso\.com"/s);
    expect(() => load({ ...APP, MicrosoftAppTenantId: 'contoso.onmicrosoft.com' })).toThrow(
      /MicrosoftAppTenantId must be an Entra tenant id/,
    );
  });

  test('a Config built without tenants cannot start an authenticated Teams adapter either', () => {
    const loaded = load({ ...APP, MicrosoftAppTenantId: TENANT_ID });
    const { tenantId: _, ...teams } = loaded.env.teams ?? {
      appId: '',
      appPassword: '',
      appType: 'MultiTenant',
    };
    const config: Config = { ...loaded, env: { ...loaded.env, teams } };
    expect(() =>
      createTeamsAdapter({
        config,
        core: new RecordingCore(),
        conversations: { save: () => undefined, get: () => undefined },
        logger: captureLogger([]),
      }),
    ).toThrow(/needs the tenants it serves/);
  });
});

describe('CIS_BOT_TEAMS_DEV_NO_AUTH', () => {
  test('is refused when NODE_ENV=production, with or without credentials', () => {
    for (const env of [
      { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true', NODE_ENV: 'production' },
      { ...APP, MicrosoftAppTenantId: TENANT_ID, CIS_BOT_TEAMS_DEV_NO_AUTH: 'true', NODE_ENV: 'production' },
    ]) {
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(/CIS_BOT_TEAMS_DEV_NO_AUTH=true .* refused when NODE_ENV=production/s);
    }
  });

  test('is accepted outside production; NODE_ENV is kept in the config', () => {
    const config = load({ CIS_BOT_TEAMS_DEV_NO_AUTH: 'true', NODE_ENV: 'development' });
    expect(config.env.teamsDevNoAuth).toBe(true);
    expect(config.env.nodeEnv).toBe('development');
    expect(load({ ...APP, MicrosoftAppTenantId: TENANT_ID, NODE_ENV: 'production' }).env.nodeEnv).toBe(
      'production',
    );
  });
});
