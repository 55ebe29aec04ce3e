/**
 * The Teams settings read from the environment (src/config/load.ts): which tenants are served, and the
 * development flag's limits. Errors are ConfigErrors that say what to set.
 */
import { createTeamsAdapter } from '../../adapters/teams/teams-adapter';
import { AwsSession } from '../../src/aws/session';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { ConfigError } from '../../src/core/errors';
import { createLoggerFactory } from '../../src/logger';
import { createCoreServices } from '../../src/runtime';
import { startBot } from '../../src/server';
import { openStore } from '../../src/store';
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
  test.each(['production', 'Production', 'PRODUCTION', 'prod', 'staging', 'Development', 'qa'])(
    'is refused when NODE_ENV=%s, with or without credentials, saying what is accepted',
    (nodeEnv) => {
      for (const env of [
        { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true', NODE_ENV: nodeEnv },
        { ...APP, MicrosoftAppTenantId: TENANT_ID, CIS_BOT_TEAMS_DEV_NO_AUTH: 'true', NODE_ENV: nodeEnv },
      ]) {
        expect(() => load(env)).toThrow(ConfigError);
        expect(() => load(env)).toThrow(
          new RegExp(
            `accepted only when NODE_ENV is development or test, or unset .*NODE_ENV is "${nodeEnv}"\\. Unset CIS_BOT_TEAMS_DEV_NO_AUTH`,
            's',
          ),
        );
      }
    },
  );

  test.each([['development'], ['test'], [undefined], ['']])('is accepted when NODE_ENV=%s', (nodeEnv) => {
    const config = load({
      CIS_BOT_TEAMS_DEV_NO_AUTH: 'true',
      ...(nodeEnv !== undefined ? { NODE_ENV: nodeEnv } : {}),
    });
    expect(config.env.teamsDevNoAuth).toBe(true);
    expect(config.env.nodeEnv).toBe(nodeEnv || undefined);
  });

  test('NODE_ENV is kept in the config whatever it is when the flag is not set', () => {
    expect(load({ ...APP, MicrosoftAppTenantId: TENANT_ID, NODE_ENV: 'production' }).env.nodeEnv).toBe(
      'production',
    );
    expect(load({ ...APP, MicrosoftAppTenantId: TENANT_ID, NODE_ENV: 'staging' }).env.nodeEnv).toBe(
      'staging',
    );
  });

  describe('with NODE_ENV unset, the bot serves on loopback only', () => {
    const start = async (host: string | undefined) => {
      const config = load({ CIS_BOT_TEAMS_DEV_NO_AUTH: 'true', PORT: '0', LOG_LEVEL: 'error' });
      const session = new AwsSession({ region: 'eu-west-2' });
      const services = createCoreServices({ config, session, store: openStore(':memory:') });
      try {
        const bot = await startBot(config, services, {
          startTimers: false,
          ...(host !== undefined ? { host } : {}),
          loggers: createLoggerFactory({ write: () => undefined }),
        });
        const address = bot.server?.address();
        await bot.close();
        return typeof address === 'object' && address ? address.address : undefined;
      } finally {
        session.destroy();
        await services.store.close().catch(() => undefined);
      }
    };

    test('by default on 127.0.0.1', async () => {
      expect(await start(undefined)).toBe('127.0.0.1');
    });

    test('asked for every interface, it refuses to start', async () => {
      await expect(start('0.0.0.0')).rejects.toThrow(
        /CIS_BOT_TEAMS_DEV_NO_AUTH=true with NODE_ENV unset serves on loopback only, not on 0\.0\.0\.0/,
      );
    });
  });
});
