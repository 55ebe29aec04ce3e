/**
 * Loads and validates configuration in one place: the YAML file, then environment variables. Errors are
 * ConfigErrors that name the setting, what is wrong, and where it comes from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type * as z from 'zod';
import { ConfigError } from '../core/errors';
import { redactText } from '../core/redact';
import { type Config, type EnvConfig, type FileConfig, fileSchema, type StoreConfig } from './schema';
import { checkSlackTargets } from './slack-targets';

function formatIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    return `  - ${path}: ${issue.message}`;
  });
  return `Invalid configuration in ${source}:\n${lines.join('\n')}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** An Entra tenant id as Teams sends it in `channelData.tenant.id` (compared lower-cased). */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** CIS_BOT_TEAMS_ALLOWED_TENANTS: comma-separated tenant ids; blanks around commas are ignored. */
function readTenantList(text: string | undefined): string[] {
  if (text === undefined || !text.trim()) return [];
  const ids = text.split(',').map((part) => part.trim().toLowerCase());
  const bad = ids.filter((id) => !TENANT_ID.test(id));
  if (bad.length) {
    throw new ConfigError(
      'CIS_BOT_TEAMS_ALLOWED_TENANTS must be comma-separated Entra tenant ids (GUIDs such as ' +
        `72f988bf-86f1-41af-91ab-2d7cd011db47); not tenant ids: ${bad.map((b) => `"${b}"`).join(', ')}.`,
    );
  }
  return [...new Set(ids)];
}

/** The NODE_ENV values under which CIS_BOT_TEAMS_DEV_NO_AUTH is accepted (also when NODE_ENV is unset). */
export const DEV_NODE_ENVS: readonly string[] = ['development', 'test'];

function readEnv(env: NodeJS.ProcessEnv): EnvConfig {
  const portText = env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number from 0 to 65535; got "${portText}".`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be debug, info, warn or error; got "${env.LOG_LEVEL}".`);
  }
  const teamsDevNoAuth = env.CIS_BOT_TEAMS_DEV_NO_AUTH === 'true';
  const nodeEnv = env.NODE_ENV === '' ? undefined : env.NODE_ENV;
  // An allow-list, not a deny-list: `Production`, `prod` or `staging` are deployments too.
  if (teamsDevNoAuth && nodeEnv !== undefined && !DEV_NODE_ENVS.includes(nodeEnv)) {
    throw new ConfigError(
      'CIS_BOT_TEAMS_DEV_NO_AUTH=true turns Teams authentication off and is for local development only: it is ' +
        `accepted only when NODE_ENV is ${DEV_NODE_ENVS.join(' or ')}, or unset (then cis-bot listens on 127.0.0.1 only), ` +
        `and NODE_ENV is "${nodeEnv}". Unset CIS_BOT_TEAMS_DEV_NO_AUTH and configure MicrosoftAppId, MicrosoftAppPassword ` +
        'and MicrosoftAppTenantId.',
    );
  }
  const allowedTenants = readTenantList(env.CIS_BOT_TEAMS_ALLOWED_TENANTS);
  const result: EnvConfig = {
    port,
    teamsDevNoAuth,
    logLevel: logLevel as EnvConfig['logLevel'],
    ...(allowedTenants.length ? { teamsAllowedTenants: allowedTenants } : {}),
    ...(nodeEnv !== undefined ? { nodeEnv } : {}),
  };
  if (env.SLACK_BOT_TOKEN || env.SLACK_CLIENT_ID) {
    result.slack = {
      ...(env.SLACK_BOT_TOKEN ? { botToken: env.SLACK_BOT_TOKEN } : {}),
      ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
      ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
      ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
    };
  }
  if (env.MicrosoftAppId || env.MicrosoftAppPassword) {
    const appType = env.MicrosoftAppType ?? 'SingleTenant';
    if (appType !== 'SingleTenant' && appType !== 'MultiTenant') {
      throw new ConfigError(`MicrosoftAppType must be SingleTenant or MultiTenant; got "${appType}".`);
    }
    if (!env.MicrosoftAppId || !env.MicrosoftAppPassword) {
      throw new ConfigError(
        'Set both MicrosoftAppId and MicrosoftAppPassword (from the Azure Bot resource, "Configuration" page).',
      );
    }
    if (appType === 'SingleTenant' && !env.MicrosoftAppTenantId) {
      throw new ConfigError(
        'MicrosoftAppTenantId is required for a SingleTenant bot (your Entra tenant id).',
      );
    }
    // Without a tenant to compare with, a MultiTenant bot would serve (and take approvals from) any
    // Microsoft 365 tenant that installs the app: the restriction must be said, never implied.
    if (!env.MicrosoftAppTenantId && !allowedTenants.length) {
      throw new ConfigError(
        `A ${appType} Teams bot needs the tenants it serves: set MicrosoftAppTenantId (your Entra tenant id) ` +
          'and/or CIS_BOT_TEAMS_ALLOWED_TENANTS (comma-separated Entra tenant ids). Activities from other tenants are ignored.',
      );
    }
    const tenantId = env.MicrosoftAppTenantId?.trim().toLowerCase();
    if (tenantId !== undefined && !TENANT_ID.test(tenantId)) {
      throw new ConfigError(
        `MicrosoftAppTenantId must be an Entra tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47), ` +
          `not a domain name: Teams identifies tenants by id; got "${env.MicrosoftAppTenantId}".`,
      );
    }
    result.teams = {
      appId: env.MicrosoftAppId,
      appPassword: env.MicrosoftAppPassword,
      appType,
      ...(tenantId ? { tenantId } : {}),
    };
  }
  return result;
}

/**
 * CIS_BOT_ENCRYPTION_KEY: 32 random bytes, base64 or hex. The installations' tokens are sealed with it
 * (AES-256-GCM); a key of another length would be silently stretched or cut by anything lenient.
 */
function readEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (key?.length !== 32) {
    throw new ConfigError(
      'CIS_BOT_ENCRYPTION_KEY must be 32 random bytes, written as base64 (44 characters) or hex (64 digits): ' +
        'generate one with `openssl rand -base64 32` and keep it with your other secrets (losing it means installing the app again).',
    );
  }
  return key;
}

/**
 * Slack in one of its two set-ups: one workspace (SLACK_BOT_TOKEN) or many through OAuth (`slack.oauth`
 * with the app's client id, client secret, a state secret and the encryption key of the stored tokens).
 * Mixed or incomplete settings are refused, naming what to set or unset.
 */
function resolveSlackSetup(file: FileConfig['slack'], env: NodeJS.ProcessEnv, result: EnvConfig): void {
  if (file.oauth === undefined) {
    if (env.SLACK_CLIENT_ID) {
      throw new ConfigError(
        'SLACK_CLIENT_ID is set but slack.oauth is not: to install cis-bot in many workspaces, add slack.oauth.scopes ' +
          '(e.g. [commands, chat:write, chat:write.public, usergroups:read]) to the configuration file; for one workspace, unset SLACK_CLIENT_ID and set SLACK_BOT_TOKEN.',
      );
    }
    const oauthOnly = [
      ...(file.allowed_teams.length ? ['slack.allowed_teams'] : []),
      ...(Object.keys(file.workspaces).length ? ['slack.workspaces'] : []),
    ];
    if (oauthOnly.length) {
      throw new ConfigError(
        `${oauthOnly.join(' and ')} apply to OAuth installations only (slack.oauth): with one bot token the bot serves the workspace the token belongs to. Remove ${oauthOnly.join(' and ')}, or set up slack.oauth.`,
      );
    }
    return;
  }
  if (env.SLACK_BOT_TOKEN) {
    throw new ConfigError(
      'slack.oauth is set (installations in many workspaces, each with its own token) and so is SLACK_BOT_TOKEN (one workspace): ' +
        'choose one. For OAuth unset SLACK_BOT_TOKEN; for one workspace remove slack.oauth.',
    );
  }
  const missing = [
    'SLACK_CLIENT_ID',
    'SLACK_CLIENT_SECRET',
    'SLACK_STATE_SECRET',
    'CIS_BOT_ENCRYPTION_KEY',
  ].filter((name) => !env[name]);
  if (missing.length) {
    throw new ConfigError(
      `slack.oauth is set, so ${missing.join(', ')} must be set too: the client id and secret are on your Slack app's ` +
        '"Basic Information" page; SLACK_STATE_SECRET is a random string of at least 32 characters you choose (it signs the install links); ' +
        "CIS_BOT_ENCRYPTION_KEY (32 random bytes, `openssl rand -base64 32`) encrypts the installations' tokens in the database.",
    );
  }
  const stateSecret = env.SLACK_STATE_SECRET as string;
  if (stateSecret.length < 32) {
    throw new ConfigError(
      `SLACK_STATE_SECRET must be at least 32 characters (it signs the OAuth state of every install link); it has ${stateSecret.length}. Generate one with \`openssl rand -hex 32\`.`,
    );
  }
  result.slack = {
    ...result.slack,
    oauth: {
      clientId: env.SLACK_CLIENT_ID as string,
      clientSecret: env.SLACK_CLIENT_SECRET as string,
      stateSecret,
      encryptionKey: readEncryptionKey(env.CIS_BOT_ENCRYPTION_KEY as string).toString('base64'),
    },
  };
}

/** The SQLite file used when no database is configured. */
const DEFAULT_SQLITE_PATH = 'cis-bot.db';

/**
 * The store: PostgreSQL when a URL is set (DATABASE_URL over store.url), else the SQLite file
 * (CIS_BOT_DB over store.path). A URL and a path together are refused: which database holds the
 * approvals must never be a guess.
 */
function resolveStore(file: FileConfig['store'], env: NodeJS.ProcessEnv): StoreConfig {
  const urlSetting = env.DATABASE_URL ? 'DATABASE_URL' : file.url !== undefined ? 'store.url' : undefined;
  const pathSetting = env.CIS_BOT_DB ? 'CIS_BOT_DB' : file.path !== undefined ? 'store.path' : undefined;
  const url = env.DATABASE_URL || file.url;
  if (!url || !urlSetting)
    return { kind: 'sqlite', path: env.CIS_BOT_DB || file.path || DEFAULT_SQLITE_PATH };
  if (pathSetting) {
    throw new ConfigError(
      `Both ${urlSetting} (a PostgreSQL database) and ${pathSetting} (an SQLite file) are set: cis-bot keeps its ` +
        `state in one database. Unset ${pathSetting} to use PostgreSQL, or ${urlSetting} to use the SQLite file.`,
    );
  }
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConfigError(
      `${urlSetting} must be a PostgreSQL connection string such as ` +
        `postgres://cis_bot:PASSWORD@db.example.com:5432/cis_bot?sslmode=verify-full; got "${redactText(url)}".`,
    );
  }
  return {
    kind: 'postgres',
    url,
    pool_size: file.pool_size,
    connect_timeout_ms: file.connect_timeout_ms,
    statement_timeout_ms: file.statement_timeout_ms,
  };
}

export interface LoadOptions {
  /** Path of the YAML file; defaults to CIS_BOT_CONFIG, then ./cis-bot.yaml if it exists. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Parsed YAML content given directly (tests, embedded defaults). */
  document?: unknown;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  let source = 'built-in defaults';
  let document: unknown = options.document ?? {};
  if (options.document === undefined) {
    const path =
      options.path ?? env.CIS_BOT_CONFIG ?? (existsSync('cis-bot.yaml') ? 'cis-bot.yaml' : undefined);
    if (path !== undefined) {
      source = path;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (cause) {
        throw new ConfigError(
          `Cannot read the configuration file ${path} (set CIS_BOT_CONFIG to its path).`,
          {
            cause,
          },
        );
      }
      try {
        document = parseYaml(text) ?? {};
      } catch (cause) {
        throw new ConfigError(`${path} is not valid YAML: ${(cause as Error).message}`, { cause });
      }
    }
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) throw new ConfigError(formatIssues(source, parsed.error));
  const file = parsed.data;
  if (!file.aws.region && env.AWS_REGION) file.aws.region = env.AWS_REGION;
  const envConfig = readEnv(env);
  resolveSlackSetup(file.slack, env, envConfig);
  checkSlackTargets(file);
  return deepFreeze({ ...file, store: resolveStore(file.store, env), env: envConfig });
}
