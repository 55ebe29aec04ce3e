/**
 * The bot server: one Express app on one port serving Slack (Bolt's ExpressReceiver routes at
 * /slack/events, or Socket Mode) and Teams (POST /api/messages), plus the probes /livez, /readyz and
 * /healthz (health.ts); the digest scheduler posting through both adapters; and the periodic resume of
 * executions whose lease lapsed.
 * express.json() is mounted on /api/messages only: app-wide it would consume the raw body Bolt needs to
 * verify Slack signatures (CHAT-PLATFORMS.md). Whatever no route answers (wrong method, unknown path, a
 * malformed body, an error) gets a short JSON answer from http-errors.ts, never Express's stack page.
 * With `metrics.enabled`, /metrics listens on its own port (`metrics.port`, same interface), and the chat
 * routes' acks and the core's work per command are measured (src/metrics).
 */
import type { Server } from 'node:http';
import express from 'express';
import { INSTALL_PATH, REDIRECT_PATH } from '../adapters/slack/oauth';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter } from '../adapters/slack/slack-adapter';
import { createTeamsAdapter, storeConversations, type TeamsAdapter } from '../adapters/teams/teams-adapter';
import type { Config } from './config/schema';
import { slackTargets } from './config/slack-targets';
import { type ResumeScanner, startResumeScanner } from './core/approvals';
import { ConfigError } from './core/errors';
import type { ChatPoster } from './core/ports/chat';
import type { Logger } from './core/ports/logger';
import { createDriftAlerts, type DriftAlerts } from './events';
import { type CheckResult, HEALTH_ROUTES, installHealthRoutes } from './health';
import { installErrorAnswers } from './http-errors';
import { createLoggerFactory, type LoggerFactory } from './logger';
import {
  chatAckTimer,
  type MetricsServer,
  measuredChatCore,
  type PrometheusMetrics,
  serveMetrics,
} from './metrics';
import type { CoreServices } from './runtime';
import { createScheduler, type Scheduler } from './scheduler';
import { validateSchedules } from './scheduler/validate';

export interface BotServer {
  /** The HTTP server (absent only in Socket Mode without Teams). */
  server: Server | undefined;
  port: number | undefined;
  /** The /metrics listener (`metrics.enabled`), on its own port. */
  metrics: MetricsServer | undefined;
  slack: SlackAdapter | undefined;
  teams: TeamsAdapter | undefined;
  scheduler: Scheduler;
  /** The drift alerts' poller (events.queue_url), when configured. */
  driftAlerts: DriftAlerts | undefined;
  /** The periodic resume of executions whose lease lapsed (tests call scanNow()). */
  resumeScanner: ResumeScanner;
  close(): Promise<void>;
}

export interface StartBotOptions {
  /** Port to listen on; default config.env.port (0 picks a free one). */
  port?: number;
  /** Arm the cron timers (tests drive the scheduler themselves). Default true. */
  startTimers?: boolean;
  /**
   * Interface to bind; default all interfaces, except 127.0.0.1 when Teams runs without authentication
   * (CIS_BOT_TEAMS_DEV_NO_AUTH). Tests bind 127.0.0.1.
   */
  host?: string;
  /** The loggers of the server, Slack, Teams and the scheduler; default: stderr at config.env.logLevel. */
  loggers?: LoggerFactory;
  /** An audit running longer than this shows its progress in chat (default 2 s; tests: 0). */
  progressAfterMs?: number;
  /** Extra Bot Framework authentication settings (a government cloud's, or a test token issuer's). */
  teamsAuthSettings?: Readonly<Record<string, string>>;
}

/** approvals.resume_scan_seconds' default, for settings built without it. */
const DEFAULT_RESUME_SCAN_MS = 15_000;

function listen(app: express.Application, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

/** The chat platforms to serve; refuses a configuration with none (main checks it before opening the database). */
export function chatPlatforms(config: Config): { wantsSlack: boolean; wantsTeams: boolean } {
  const wantsSlack = config.env.slack !== undefined;
  const wantsTeams = config.env.teams !== undefined || config.env.teamsDevNoAuth;
  if (!wantsSlack && !wantsTeams) {
    throw new ConfigError(
      'Neither Slack nor Teams is configured. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (Slack: one workspace; for many, slack.oauth with SLACK_CLIENT_ID…), or MicrosoftAppId, ' +
        'MicrosoftAppPassword and MicrosoftAppTenantId (Teams). To try the audit without a chat platform, run `npm run demo`.',
    );
  }
  return { wantsSlack, wantsTeams };
}

/**
 * The registry /metrics serves when `metrics.enabled` (undefined when off). The services must have been
 * built with the same metrics (`createMetrics(config.metrics)` given to the session and the services).
 */
function metricsToServe(config: Config, services: CoreServices): PrometheusMetrics | undefined {
  if (!config.metrics.enabled) return undefined;
  if (!('registry' in services.metrics)) {
    throw new ConfigError(
      'metrics.enabled is true but the services were built without metrics: pass createMetrics(config.metrics) to createCoreServices.',
    );
  }
  if (config.metrics.port !== 0 && config.metrics.port === config.env.port) {
    throw new ConfigError(
      `metrics.port ${config.metrics.port} is the bot's PORT: /metrics has its own port, choose another one.`,
    );
  }
  return services.metrics as PrometheusMetrics;
}

/**
 * With OAuth, Slack targets whose workspace has not installed cis-bot (yet, or any more) are said at
 * start-up: their posts fail until it is installed there (each post looks again), the others go out.
 */
async function warnUninstalledTargets(config: Config, slack: SlackAdapter, log: Logger): Promise<void> {
  const targets = new Set(slackTargets(config).map((t) => t.id));
  try {
    const missing = await slack.uninstalledTargets([...targets]);
    if (missing.length > 0) {
      log.warn(
        'Slack targets name workspaces without an installation: posts to them fail until cis-bot is installed there',
        { targets: missing },
      );
    }
  } catch (error) {
    // A hint only: a database that cannot answer now must not keep the bot from starting.
    log.warn('could not check the Slack targets against the installations', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

export async function startBot(
  config: Config,
  services: CoreServices,
  options: StartBotOptions = {},
): Promise<BotServer> {
  const { wantsSlack, wantsTeams } = chatPlatforms(config);
  // Every configuration mistake is reported before the first network call (Slack's auth.test): a
  // schedule that targets a platform that is not configured would otherwise surface only after it, or
  // as "fetch failed" offline. The scheduler checks the schedules again against its posters.
  validateSchedules(config.schedules, {
    platforms: [...(wantsSlack ? ['slack'] : []), ...(wantsTeams ? ['teams'] : [])],
    catalog: services.settings.platforms,
  });
  // With OAuth, Slack targets name their workspace (T…/C…): checked when the configuration was loaded.
  const slackOAuth = wantsSlack && config.env.slack?.oauth !== undefined;
  const loggers = options.loggers ?? createLoggerFactory({ level: config.env.logLevel });
  const log = loggers('server');
  const prometheus = metricsToServe(config, services);
  const app = express();
  const core = prometheus ? measuredChatCore(services.chat, prometheus) : services.chat;
  if (prometheus)
    app.use(chatAckTimer(prometheus, { [SLACK_EVENTS_PATH]: 'slack', '/api/messages': 'teams' }));
  // Filled in as the adapters are set up; /readyz reads them on each probe.
  const platformChecks: Record<string, () => CheckResult> = {};
  installHealthRoutes(app, { database: () => services.store.ping(), platforms: platformChecks }, log);
  const posters: ChatPoster[] = [];
  // The store remembers accepted Slack signatures, so replicas and restarts refuse replays too.
  const slack = wantsSlack
    ? createSlackAdapter({
        config,
        core,
        expressApp: app,
        store: services.store,
        installations: services.store,
        logger: loggers('slack'),
        ...(options.progressAfterMs !== undefined ? { progressAfterMs: options.progressAfterMs } : {}),
      })
    : undefined;
  if (slack) {
    await slack.init();
    posters.push(slack.poster);
    if (slackOAuth) await warnUninstalledTargets(config, slack, log);
    const adapter = slack;
    // Bot token: auth.test named its workspace; OAuth (many workspaces): the app's settings were accepted.
    platformChecks.slack = () =>
      slackOAuth || adapter.workspace !== undefined
        ? { ok: true }
        : { ok: false, error: 'Slack: the bot token has not been accepted by auth.test.' };
  }
  let teams: TeamsAdapter | undefined;
  if (wantsTeams) {
    teams = createTeamsAdapter({
      config,
      core,
      conversations: storeConversations(services.store),
      logger: loggers('teams'),
      ...(options.teamsAuthSettings ? { authSettings: options.teamsAuthSettings } : {}),
      ...(options.progressAfterMs !== undefined ? { progressAfterMs: options.progressAfterMs } : {}),
    });
    const adapter = teams;
    app.post('/api/messages', express.json({ limit: '1mb' }), (req, res, next) =>
      adapter.handle(req, res, next),
    );
    posters.push(teams.poster);
    // Its configuration was checked when the adapter was made (credentials, or the development flag).
    platformChecks.teams = () => ({ ok: true });
  }
  installErrorAnswers(
    app,
    {
      ...HEALTH_ROUTES,
      ...(slack && config.slack.mode === 'http' ? { [SLACK_EVENTS_PATH]: ['POST'] } : {}),
      ...(slack && slackOAuth ? { [INSTALL_PATH]: ['GET', 'HEAD'], [REDIRECT_PATH]: ['GET', 'HEAD'] } : {}),
      ...(teams ? { '/api/messages': ['POST'] } : {}),
    },
    log,
  );
  const scheduler = createScheduler({
    config,
    platforms: services.settings.platforms,
    auditor: services.auditor,
    store: services.store,
    posters,
    log: loggers('scheduler'),
    // controls.<id>.default_action: remediate (explicit opt-in): scheduled digests remediate through the
    // same workflow as an approved plan, approved as cis-bot itself.
    autoRemediate: (control, accountId) =>
      services.approvals.runAutomatically('remediation', { control, accountId }),
    // schedules.<n>.export.securityhub: scheduled runs also send their findings to Security Hub.
    exportFindings: services.exportFindings,
    metrics: services.metrics,
    ...(options.startTimers === false ? { startTimers: false } : {}),
  });
  services.chat.attachDigests(scheduler);
  // Drift alerts (events.queue_url): built now so a target on a platform the bot does not serve is a
  // configuration error before the port opens; the queue itself is checked just before polling starts.
  const driftAlerts = createDriftAlerts({ config, services, posters, log: loggers('events') });

  // Socket Mode needs no inbound HTTP for Slack, except OAuth's install routes (on this one server).
  const httpNeeded = config.slack.mode === 'http' || teams !== undefined || slackOAuth;
  // Unauthenticated, /api/messages lets anyone act as any Teams user: never offer it beyond this host.
  const devNoAuth = teams !== undefined && !teams.authenticated;
  const host = options.host ?? (devNoAuth ? '127.0.0.1' : '0.0.0.0');
  // Without NODE_ENV saying development or test, the flag is accepted only on this host (config/load.ts).
  if (devNoAuth && config.env.nodeEnv === undefined && !/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) {
    throw new ConfigError(
      `CIS_BOT_TEAMS_DEV_NO_AUTH=true with NODE_ENV unset serves on loopback only, not on ${host}: set NODE_ENV=development to serve elsewhere during development, or configure the Teams app credentials.`,
    );
  }
  if (devNoAuth && options.host === undefined) {
    log.warn('Teams authentication is off (CIS_BOT_TEAMS_DEV_NO_AUTH): listening on 127.0.0.1 only');
  }
  const server = httpNeeded ? await listen(app, options.port ?? config.env.port, host) : undefined;
  const metricsServer = prometheus
    ? await serveMetrics(prometheus, { port: config.metrics.port, host, log }).catch((error: unknown) => {
        server?.close();
        throw new ConfigError(
          `metrics.port ${config.metrics.port} cannot be listened on (${(error as Error).message}): choose a free port, or set metrics.enabled: false.`,
        );
      })
    : undefined;
  if (slack && config.slack.mode === 'socket') await slack.start();
  const address = server?.address();
  const port = address && typeof address === 'object' ? address.port : undefined;
  log.info('cis-bot listening', {
    port,
    host,
    slack: wantsSlack ? config.slack.mode : 'off',
    teams: wantsTeams ? 'on' : 'off',
    metrics: metricsServer ? metricsServer.port : 'off',
  });

  await scheduler.start();
  if (driftAlerts) {
    // A queue that is missing or denied stops start-up with the permission to grant (queue-check.ts).
    await driftAlerts.start().catch(async (error: unknown) => {
      await scheduler.stop();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      if (slack && config.slack.mode === 'socket') await slack.stop();
      await driftAlerts.stop();
      throw error;
    });
  }
  // Every replica, periodically (not only at start-up, where the first scan runs at once): executions
  // whose lease lapsed (their replica died) are taken over and finished, reporting in their approval's
  // thread; approvals approved but never started are re-derived and run, or go stale.
  const resumeScanner = startResumeScanner({
    approvals: services.approvals,
    intervalMs: services.settings.approvals.executions?.resumeScanMs ?? DEFAULT_RESUME_SCAN_MS,
    posters,
    log: loggers('approvals'),
  });

  return {
    server,
    port,
    metrics: metricsServer,
    slack,
    teams,
    scheduler,
    driftAlerts,
    resumeScanner,
    async close() {
      await resumeScanner.stop();
      await driftAlerts?.stop();
      await scheduler.stop();
      await slack?.idle();
      await teams?.idle();
      if (slack && config.slack.mode === 'socket') await slack.stop();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await metricsServer?.close();
      await services.store.close();
    },
  };
}
