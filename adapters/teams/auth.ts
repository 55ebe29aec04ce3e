/**
 * Bot Framework authentication from cis-bot's Config (never from process.env): the conventional app
 * settings (MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId) go to
 * `ConfigurationBotFrameworkAuthentication`. Without credentials the bot refuses to start, unless the
 * development flag asks for unauthenticated mode, which botbuilder provides as MultiTenant with an empty
 * app id (then every request is accepted, whatever its Authorization header).
 */
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Config } from '../../src/config/schema';
import { ConfigError } from '../../src/core/errors';

export interface TeamsAuth {
  auth: ConfigurationBotFrameworkAuthentication;
  /** The bot's app id ('' when authentication is off); proactive turns need it. */
  appId: string;
  authenticated: boolean;
  /**
   * Entra tenant ids (lower case) whose activities are served: MicrosoftAppTenantId plus
   * CIS_BOT_TEAMS_ALLOWED_TENANTS. Never empty when authenticated; empty in development mode without
   * CIS_BOT_TEAMS_ALLOWED_TENANTS (no tenant check: anyone can forge anything then anyway).
   */
  allowedTenants: readonly string[];
}

export interface AuthWarnings {
  warn(message: string, fields?: Record<string, unknown>): void;
}

const CREDENTIAL_KEYS = [
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
];

/**
 * The public cloud's endpoints (botframework-connector's AuthenticationConstants, 4.23). botbuilder uses
 * them only when NONE of these settings is given; give one and it expects them all, so a partial
 * override is completed from here.
 */
const PUBLIC_CLOUD: Readonly<Record<string, string>> = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl:
    'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: 'urn:botframework:azure',
};

function completeSettings(extra: Readonly<Record<string, string>>): Record<string, string> {
  const partial = Object.keys(extra).some((key) => key in PUBLIC_CLOUD);
  return partial && !extra.ChannelService ? { ...PUBLIC_CLOUD, ...extra } : { ...extra };
}

/**
 * `extra`: further ConfigurationBotFrameworkAuthentication settings, such as `ChannelService` for a
 * government cloud or `ToBotFromChannelOpenIdMetadataUrl`. Credentials only ever come from Config.
 */
export function createTeamsAuth(
  config: Config,
  log: AuthWarnings,
  extra: Readonly<Record<string, string>> = {},
): TeamsAuth {
  const overridden = Object.keys(extra).filter((key) => CREDENTIAL_KEYS.includes(key));
  if (overridden.length) {
    throw new ConfigError(
      `Teams credentials come from the environment only; not from authSettings: ${overridden.join(', ')}.`,
    );
  }
  const base = completeSettings(extra);
  const teams = config.env.teams;
  const allowedTenants = [
    ...new Set(
      [teams?.tenantId, ...(config.env.teamsAllowedTenants ?? [])]
        .filter((id): id is string => typeof id === 'string' && id !== '')
        .map((id) => id.toLowerCase()),
    ),
  ];
  if (teams) {
    // loadConfig already refuses this; a Config built any other way must not turn the check off either.
    if (!allowedTenants.length) {
      throw new ConfigError(
        'The Teams bot needs the tenants it serves: set MicrosoftAppTenantId and/or CIS_BOT_TEAMS_ALLOWED_TENANTS.',
      );
    }
    if (config.env.teamsDevNoAuth) {
      log.warn(
        'CIS_BOT_TEAMS_DEV_NO_AUTH is ignored: Teams app credentials are configured, so requests are authenticated.',
      );
    }
    const settings: Record<string, string> = {
      ...base,
      MicrosoftAppId: teams.appId,
      MicrosoftAppPassword: teams.appPassword,
      MicrosoftAppType: teams.appType,
      ...(teams.tenantId ? { MicrosoftAppTenantId: teams.tenantId } : {}),
    };
    try {
      return {
        auth: new ConfigurationBotFrameworkAuthentication(settings),
        appId: teams.appId,
        authenticated: true,
        allowedTenants,
      };
    } catch (cause) {
      // botbuilder's assertion messages name the missing setting; never echo the settings themselves.
      throw new ConfigError(
        `The Teams app settings are incomplete: ${(cause as Error).message} ` +
          '(MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId come from the Azure Bot resource, "Configuration" page).',
        { cause },
      );
    }
  }
  if (!config.env.teamsDevNoAuth) {
    throw new ConfigError(
      'Teams is enabled but has no app credentials: set MicrosoftAppId, MicrosoftAppPassword and ' +
        'MicrosoftAppTenantId (Azure Bot resource, "Configuration" page; MicrosoftAppType defaults to SingleTenant). ' +
        'For local development only, CIS_BOT_TEAMS_DEV_NO_AUTH=true accepts unauthenticated requests.',
    );
  }
  log.warn(
    '!!! TEAMS AUTHENTICATION IS OFF (CIS_BOT_TEAMS_DEV_NO_AUTH=true): /api/messages accepts requests from ' +
      'anyone, who can then act as any Teams user, approvals included. Development only; never expose this endpoint. !!!',
  );
  return {
    auth: new ConfigurationBotFrameworkAuthentication({
      ...base,
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      MicrosoftAppType: 'MultiTenant',
    }),
    appId: '',
    authenticated: false,
    allowedTenants,
  };
}
