/**
 * Wires the Slack adapter: a Bolt App on an ExpressReceiver (HTTP mode, signed requests on
 * POST /slack/events, guarded against malformed headers, timestamps out of the window and replays, the
 * replays remembered in the bot's store) or Socket Mode (socket-receiver.ts: app-level token, each envelope
 * handled once through the same store), chosen by
 * `slack.mode`; the workspace the bot token belongs to (requests from others are refused); the `/cis` command and `cis:*` button listeners; and the ChatPoster the
 * scheduler uses. Bolt reads no environment: token, signing secret and API URL come from the Config.
 */
import type { Server } from 'node:http';
import type { ListenOptions } from 'node:net';
import { App, type BlockAction, ExpressReceiver, type SocketModeReceiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import express, { type Application } from 'express';
import type { Config } from '../../src/config/schema';
import { parseSlackTarget } from '../../src/config/slack-targets';
import { ConfigError } from '../../src/core/errors';
import type { ChatCore, ChatPoster } from '../../src/core/ports/chat';
import type { Logger } from '../../src/core/ports/logger';
import type { AuditLogStore, SlackInstallationStore } from '../../src/core/ports/store';
import { ackCommandsFirst } from './ack-first';
import { actionListener } from './actions';
import { slackClientOptions, slackConnectionClientOptions } from './client-options';
import { commandListener } from './commands';
import type { HandlerDeps } from './context';
import { createInstallationPoster } from './installation-poster';
import { boltLogger } from './log';
import { createSlackOAuth, type SlackOAuth } from './oauth';
import { perInstallationDeps, UNINSTALL_EVENTS } from './per-installation';
import { createSlackPoster } from './poster';
import { memoryOnceKeys, type OnceKeys, slackRequestGuard } from './request-guard';
import { SocketDeliveryReceiver } from './socket-receiver';
import { createGroupResolver } from './user-groups';
import { createWorkQueue } from './work-queue';
import { type Workspace, workspaceFromAuthTest } from './workspace';

/** The path Slack posts commands and interactivity to (the manifest's request URLs). */
export const SLACK_EVENTS_PATH = '/slack/events';
export const SLASH_COMMAND = '/cis';
/**
 * Slash commands run at once after their ack, at most (each audit has its own account concurrency): enough
 * to keep AWS's latency overlapped, few enough that a burst of commands is acknowledged before their work
 * takes the CPU.
 */
const COMMANDS_AT_ONCE = 32;

/** The core's buttons; `#n` suffixes keep action ids unique within a block. */
export const ACTION_PATTERN = /^cis:/;

export interface SlackAdapterOptions {
  config: Config;
  core: ChatCore;
  /** Replaces the receiver chosen by `slack.mode` (hosting experiments); usually left out. */
  receiver?: ExpressReceiver | SocketDeliveryReceiver | SocketModeReceiver;
  /** An Express app to host POST /slack/events on (HTTP mode), e.g. the one that also serves Teams. */
  expressApp?: Application;
  /** The `slack` component's logger; Bolt, its Web API client and the handlers all write through it. */
  logger: Logger;
  /**
   * HTTP mode: where the signatures of requests already accepted are remembered, so a replay is refused
   * by every replica and after a restart. Pass the bot's Store (only `rememberOnce` is used). Default:
   * this process's memory.
   */
  store?: OnceKeys;
  /** An audit running longer than this shows its progress in its message (default 2 s; tests: 0). */
  progressAfterMs?: number;
  /**
   * OAuth (`slack.oauth`): where installations are kept and their installs and uninstalls are
   * audit-logged (the bot's Store); `store` keeps the states.
   */
  installations?: SlackInstallationStore & AuditLogStore;
}

export interface SlackAdapter {
  readonly app: App;
  readonly receiver: ExpressReceiver | SocketDeliveryReceiver | SocketModeReceiver;
  /** HTTP mode: the Express app serving POST /slack/events; mount other routes (Teams) on it. */
  readonly expressApp: Application | undefined;
  /** The bot's Web API client (the one the handlers and the poster use). */
  readonly client: WebClient;
  /** For the scheduler: posts cards to a channel, continuations in the thread. */
  readonly poster: ChatPoster;
  /**
   * OAuth: the targets (`T…/C…`) whose workspace has no installation now (read from the store, no
   * network call); with one bot token, none.
   */
  uninstalledTargets(targets: readonly string[]): Promise<string[]>;
  /** HTTP mode, after start(): the listening server. */
  readonly server: Server | undefined;
  /**
   * Checks the bot token with auth.test (a refused token is a ConfigError) and learns the workspace it
   * belongs to: requests from other workspaces are refused, and all of them until init() has succeeded.
   * start() does it; call it yourself when you serve `expressApp` from your own HTTP server instead.
   */
  init(): Promise<void>;
  /** The workspace auth.test named, once init() has succeeded. */
  readonly workspace: Workspace | undefined;
  /** init(), then listens (HTTP mode, default PORT) or connects (Socket Mode). */
  start(listen?: number | ListenOptions): Promise<void>;
  /** Resolves once all work accepted so far (commands and clicks after their ack) has finished. */
  idle(): Promise<void>;
  /** Stops receiving, then waits for work in progress. */
  stop(): Promise<void>;
}

export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { config, core } = options;
  const slackEnv = config.env.slack;
  const oauthOn = slackEnv?.oauth !== undefined;
  if (!slackEnv || (!slackEnv.botToken && !oauthOn)) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN is not set: copy the "Bot User OAuth Token" (xoxb-…) from your Slack app\'s "OAuth & Permissions" page (or, for many workspaces, set up slack.oauth).',
    );
  }
  const logger = boltLogger(options.logger, config.env.logLevel);
  const queue = createWorkQueue({ concurrency: COMMANDS_AT_ONCE });

  let receiver = options.receiver;
  let expressApp: Application | undefined;
  if (receiver === undefined && config.slack.mode === 'socket') {
    if (!slackEnv.appToken) {
      throw new ConfigError(
        'slack.mode is "socket" but SLACK_APP_TOKEN is not set: create an app-level token (xapp-…) with the connections:write scope on your Slack app\'s "Basic Information" page.',
      );
    }
    receiver = new SocketDeliveryReceiver({
      appToken: slackEnv.appToken,
      logger,
      clientOptions: slackConnectionClientOptions(slackEnv),
      onceKeys: options.store ?? memoryOnceKeys(),
    });
  } else if (receiver === undefined) {
    if (!slackEnv.signingSecret) {
      throw new ConfigError(
        'SLACK_SIGNING_SECRET is not set: copy the "Signing Secret" from your Slack app\'s "Basic Information" page (or set slack.mode: socket and SLACK_APP_TOKEN).',
      );
    }
    expressApp = options.expressApp ?? express();
    if (options.store === undefined) {
      logger.warn({
        event: 'slack.replay_memory_local',
        detail: 'no store given: replays are remembered by this process only',
      });
    }
    // Queued commands wait while Slack requests are in progress: acks first.
    expressApp.post(SLACK_EVENTS_PATH, (_req, res, next) => {
      queue.requestStarted();
      res.once('close', () => queue.requestFinished());
      next();
    });
    // Before Bolt's own route: the authoritative signature, window and replay check; hands Bolt the raw body.
    expressApp.post(
      SLACK_EVENTS_PATH,
      slackRequestGuard({
        signingSecret: slackEnv.signingSecret,
        logger,
        onceKeys: options.store ?? memoryOnceKeys(),
        expected: {
          command: SLASH_COMMAND,
          actionPattern: ACTION_PATTERN,
          // Slack tells the app it was uninstalled, or its tokens revoked, through the Events API (the
          // manifest subscribes to both; with one bot token they are accepted and ignored).
          events: UNINSTALL_EVENTS,
        },
      }),
    );
    // One bot token: the guard's checks are all a command needs before its ack; Bolt runs after (with
    // OAuth, Bolt's authorize finds the installation first, so commands keep Bolt's path).
    if (!oauthOn) {
      expressApp.post(
        SLACK_EVENTS_PATH,
        ackCommandsFirst({
          queue,
          logger,
          processEvent: (event) => app.processEvent(event),
          track: (work) => deps.track(work),
        }),
      );
    }
    receiver = new ExpressReceiver({
      signingSecret: slackEnv.signingSecret,
      logger,
      app: expressApp,
      endpoints: SLACK_EVENTS_PATH,
    });
  } else if (receiver instanceof ExpressReceiver) {
    expressApp = receiver.app;
  }

  // OAuth: installations in the bot's store, each request's token chosen by Bolt's authorize.
  let oauth: SlackOAuth | undefined;
  if (oauthOn) {
    if (options.store === undefined || options.installations === undefined) {
      throw new Error("Slack OAuth needs the bot's store (installations and once-keys)");
    }
    oauth = createSlackOAuth({
      config,
      installations: options.installations,
      onceKeys: options.store,
      core,
      logger,
      clientOptions: slackConnectionClientOptions(slackEnv),
    });
    const routes = expressApp ?? options.expressApp;
    if (routes === undefined) throw new Error('Slack OAuth needs an Express app for its install routes');
    oauth.mount(routes);
  }

  const app = new App({
    ...(oauth ? { authorize: oauth.authorize } : { token: slackEnv.botToken }),
    receiver,
    logger,
    // auth.test runs in start(), where a refused token becomes a clear start-up error.
    deferInitialization: true,
    // No conversation store: cis-bot keeps no per-conversation state in Bolt, and its lookup on every
    // request was a good part of the work done before an ack.
    convoStore: false,
    clientOptions: slackClientOptions(slackEnv),
  });
  const pending = new Set<Promise<unknown>>();
  let workspace: Workspace | undefined;
  const deps: HandlerDeps = {
    config,
    core,
    logger,
    groupsOf: createGroupResolver({ client: app.client, groups: config.approvals.slack.user_groups, logger }),
    track<T>(work: Promise<T>): Promise<T> {
      pending.add(work);
      const forget = () => pending.delete(work);
      work.then(forget, forget);
      return work;
    },
    workspace: () => workspace,
    platform: 'slack',
    allowedChannels: config.slack.allowed_channels,
    allowedChannelsSetting: 'slack.allowed_channels',
    ...(options.progressAfterMs !== undefined ? { progressAfterMs: options.progressAfterMs } : {}),
    queue,
  };
  if (oauth) {
    deps.forRequest = perInstallationDeps(deps, config, logger);
    oauth.listen(app);
  }
  app.command(SLASH_COMMAND, commandListener(deps));
  app.action<BlockAction>(ACTION_PATTERN, actionListener(deps));
  app.error(async (error) => {
    logger.error({ event: 'slack.unhandled', error });
  });

  let server: Server | undefined;
  let socketStarted = false;
  let initialized: Promise<void> | undefined;
  const init = () => {
    initialized ??= app
      .init()
      .then(async () => {
        // OAuth: each request's workspace is its installation's (perInstallationDeps); no token to test.
        if (oauth) return;
        // Bolt keeps auth.test's answer to itself; the workspace is needed to refuse other workspaces.
        const auth = await app.client.auth.test();
        const found = workspaceFromAuthTest(auth);
        if (found === undefined) {
          throw new ConfigError('Slack auth.test named no workspace for SLACK_BOT_TOKEN: is it a bot token?');
        }
        workspace = found;
        logger.info({
          event: 'slack.workspace',
          team: found.teamId,
          enterprise: found.enterpriseId,
          enterpriseInstall: found.enterpriseInstall,
        });
      })
      .catch((error: unknown) => {
        initialized = undefined;
        const code = (error as { data?: { error?: string } }).data?.error;
        if (
          code === 'invalid_auth' ||
          code === 'not_authed' ||
          code === 'account_inactive' ||
          code === 'token_revoked'
        ) {
          throw new ConfigError(
            `Slack refused SLACK_BOT_TOKEN (${code}): copy the current Bot User OAuth Token.`,
            {
              cause: error,
            },
          );
        }
        throw error;
      });
    return initialized;
  };
  const idle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return {
    app,
    receiver,
    expressApp,
    client: app.client,
    // OAuth: each post with the token of its workspace's installation, looked up when it is made.
    poster: oauth
      ? createInstallationPoster({
          installations: oauth.installations,
          clientOptions: slackClientOptions(slackEnv),
          logger,
        })
      : createSlackPoster(app.client),
    async uninstalledTargets(targets) {
      if (!oauth) return [];
      const found = oauth.installations;
      const missing: string[] = [];
      for (const target of targets) {
        const workspace = parseSlackTarget(target)?.workspace;
        if (workspace === undefined || (await found.findWorkspace(workspace)) === undefined)
          missing.push(target);
      }
      return missing;
    },
    get workspace() {
      return workspace;
    },
    get server() {
      return server;
    },
    init,
    async start(listen) {
      await init();
      if (receiver instanceof ExpressReceiver) {
        server = await receiver.start(listen ?? config.env.port);
      } else {
        await app.start();
        socketStarted = true;
      }
      logger.info({ event: 'slack.started', mode: receiver instanceof ExpressReceiver ? 'http' : 'socket' });
    },
    idle,
    async stop() {
      if (receiver instanceof ExpressReceiver) {
        if (server) {
          const closing = receiver.stop();
          server.closeAllConnections();
          await closing;
          server = undefined;
        }
      } else if (socketStarted) {
        await app.stop();
        socketStarted = false;
      }
      await idle();
    },
  };
}
