/**
 * `npm start`: loads the configuration, builds the AWS session from the SDK's standard credential chain,
 * and serves Slack and Teams until SIGTERM/SIGINT. Wiring only.
 */
import { hostname } from 'node:os';
import { assertProfileExists } from './aws/profile';
import { AwsSession, sdkDefaultRegion } from './aws/session';
import { loadConfig } from './config/load';
import type { StoreConfig } from './config/schema';
import { CisBotError, ConfigError } from './core/errors';
import { tuneHeapGrowth } from './heap-tuning';
import { createLogger, createLoggerFactory } from './logger';
import { createMetrics } from './metrics';
import { createCoreServices } from './runtime';
import { type BotServer, chatPlatforms, startBot } from './server';
import { openConfiguredStore } from './store';

/** Which database, for the start-up log: never the connection string (it may hold a password). */
function describeStore(store: StoreConfig): Record<string, unknown> {
  if (store.kind === 'sqlite') return { store: 'sqlite', path: store.path };
  const url = new URL(store.url);
  return { store: 'postgresql', database: `${url.host}${url.pathname}`, poolSize: store.pool_size };
}

// The AWS SDK's notice, on Node 20, that its releases from 2027 need Node 22 is not something an operator
// of cis-bot can act on (Node >= 20.12 is supported; the image runs Node 22): it is turned off in our entry
// points only (here and adapters/cli/main.ts), through the SDK's own switch for that one notice, before any
// client is built. Every other warning is printed as usual.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= 'true';
// Peak memory of audits of many accounts (src/heap-tuning.ts).
tuneHeapGrowth();

async function main(): Promise<void> {
  const config = loadConfig();
  // A profile that does not exist is named now, not later as "no credentials" or "no region".
  if (process.env.AWS_PROFILE) await assertProfileExists(process.env.AWS_PROFILE, 'AWS_PROFILE');
  const region = config.aws.region ?? (await sdkDefaultRegion());
  if (!region) {
    throw new ConfigError(
      'No AWS region: set AWS_REGION (or a region in your AWS profile), or aws.region in cis-bot.yaml.',
    );
  }
  const loggers = createLoggerFactory({ level: config.env.logLevel });
  // metrics.enabled: one registry for the session's AWS calls and the services; the bot serves it.
  const metrics = createMetrics(config.metrics);
  const session = new AwsSession({
    region,
    roleArnTemplate: config.aws.role_arn_template,
    roleSessionName: config.aws.role_session_name,
    roleAccounts: config.aws.accounts,
    ...(config.aws.external_id !== undefined ? { externalId: config.aws.external_id } : {}),
    logger: loggers('aws'),
    metrics,
  });
  chatPlatforms(config); // a configuration error is said before any connection is made
  const coreLog = loggers('core');
  const storeLog = loggers('store');
  // Connects and migrates first (PostgreSQL: under the migration lock), so a database problem stops start-up.
  const store = await openConfiguredStore(config.store, {
    onConnectionError: (error) =>
      storeLog.warn('a pooled database connection failed', { error: error.message }),
  });
  storeLog.info('database ready', {
    ...describeStore(config.store),
    schemaVersion: store.migration.to,
    migrated: store.migration.applied,
  });
  const services = createCoreServices({
    config,
    session,
    region,
    store,
    metrics,
    // This replica, as chat and the audit log name it when it runs or resumes an execution.
    owner: `${hostname()}:${process.pid}`,
    accountsLog: loggers('accounts'),
    onError: (error, context) =>
      coreLog.error(context, { error: error instanceof Error ? error.message : String(error) }),
  });
  const log = loggers('server');
  // The signal handlers come before start-up finishes: the port is open (and the "listening" line out)
  // before the scheduler has started, and a SIGTERM in between must still close the bot, not kill it.
  let starting: Promise<BotServer> | undefined;
  const shutdown = (signal: string) => {
    log.info(`${signal}: shutting down`);
    (starting ?? Promise.reject(new Error('not started')))
      .then((started) => started.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  starting = startBot(config, services, { loggers }).catch(async (error: unknown) => {
    await store.close().catch(() => undefined);
    throw error;
  });
  await starting;
  // Discover the organization's accounts now, so a denial or an unknown OU shows in the log at start-up
  // (the directory logs the outcome itself; chat commands get the same error until it is fixed).
  void services.accounts.list().catch(() => undefined);
}

main().catch((error: unknown) => {
  // Configuration errors are actionable and safe to print; anything else is reported without a stack.
  // One JSON line like every other (LOG_LEVEL may be the very setting that failed to load).
  const message =
    error instanceof CisBotError
      ? error.message
      : `cis-bot failed to start: ${(error as Error)?.message ?? error}`;
  createLogger('server').error(message);
  process.exit(2);
});
