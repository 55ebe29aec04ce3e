/**
 * End-to-end harness for the Slack adapter: the real bot server (startBot: one Express app, Bolt's
 * ExpressReceiver, the scheduler) over the real core (createCoreServices: auditor, approvals, remediation
 * workflow, chat core, an in-memory SQLite store), the in-process AWS sandbox reached by the real AWS SDK
 * clients, and the loopback fake Slack Web API + response_url. Requests are signed and shaped as Slack
 * documents them (./helpers). The core's clock can be moved forward (expiry tests).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buttonIdOf } from '../../adapters/slack/render';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { Metrics } from '../../src/core/ports/metrics';
import type { Store } from '../../src/core/ports/store';
import type { LoggerFactory } from '../../src/logger';
import { type CoreServices, createCoreServices } from '../../src/runtime';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../src/sandbox-run';
import { type BotServer, startBot } from '../../src/server';
import { openStore } from '../../src/store';
import {
  FAKE_BOT_TOKEN,
  type FakeMessage,
  FakeSlackApi,
  type FakeSlackOptions,
  validateBlockKit,
} from '../support/fake-slack-api';
import { type FakeSlackOAuth, OAUTH_ENV } from '../support/fake-slack-oauth';
import { FAKE_APP_TOKEN, FakeSlackSocket } from '../support/fake-slack-socket';
import type { AwsCallTap } from './aws-call-tap';
import { blockActionsBody, postSigned, SIGNING_SECRET, slashCommandBody } from './helpers';

export const CHANNEL = 'C0SECOPS01';
/** Asks for remediations; also a listed approver, so only require_distinct_approver stops them. */
export const ALICE = { id: 'U0ALICE001', name: 'alice' };
/** A listed approver (approvals.slack.users). */
export const BOB = { id: 'U0BOB00001', name: 'bob' };
/** An approver through the user group S0SECLEADS (usergroups.users.list). */
export const CAROL = { id: 'U0CAROL001', name: 'carol' };
/** Not an approver. */
export const MALLORY = { id: 'U0MALLORY1', name: 'mallory' };
export const APPROVER_GROUP = 'S0SECLEADS';
export const SQS_ENDPOINT = 'arn:aws:sqs:eu-west-2:999900000001:secops-alarms';

export type SlackUser = { id: string; name: string };

export interface E2EOptions {
  /** Scenario file or YAML text; default the bundled audit-demo. */
  scenario?: string;
  /** Extra configuration merged over the defaults below (a function: built from the started sandbox). */
  document?: Record<string, unknown> | ((run: SandboxRun) => Record<string, unknown>);
  /** The SQLite database (a file shared with other replicas); default a private in-memory one. */
  storePath?: string;
  fake?: FakeSlackOptions;
  /** Injected AWS latency per sandbox call. */
  latencyMs?: number;
  /** A recording tap the AWS SDK clients talk to instead of the sandbox; it forwards to the sandbox. */
  awsTap?: AwsCallTap;
  /** Audits show progress after this long (default: the server's). */
  progressAfterMs?: number;
  /**
   * How Slack reaches the bot: signed HTTP requests (default), or Socket Mode: the bot connects to the
   * fake Slack's WebSocket (apps.connections.open) and commands and clicks arrive as envelopes.
   */
  transport?: 'http' | 'socket';
  /** The bot's loggers (default: the server's, at LOG_LEVEL error). */
  loggers?: LoggerFactory;
  /** The bot's metrics (AWS session and services), with `document.metrics` saying the same. */
  metrics?: Metrics;
  /**
   * Installations in many workspaces (slack.oauth): the bot starts with the app's OAuth settings instead
   * of a bot token, and this fake answers oauth.v2.access.
   */
  oauth?: FakeSlackOAuth;
  /** The bot's store (closed with the bot); default a private in-memory SQLite database. */
  store?: Store;
  /** Extra environment for loadConfig (e.g. CIS_BOT_TEAMS_DEV_NO_AUTH to serve Teams too). */
  env?: Record<string, string>;
}

/** Where a request comes from: the workspace (and organisation) Slack names in it. */
export interface RequestTeam {
  teamId: string;
  enterpriseId?: string;
  /** The app is installed org-wide (Slack says so in every request). */
  enterpriseInstall?: boolean;
}

export interface CommandResult {
  /** HTTP: the response's status; Socket Mode: 200 once the envelope was acknowledged. */
  status: number;
  /** The ack's body (empty: results come later). */
  text: string;
  responseUrl: string;
  body: string;
  timestamp: number;
  /** After settling: the message the command posted (its progress message, replaced by the result). */
  message: FakeMessage | undefined;
  /** After settling: what went to the command's response_url (usage messages, refusals). */
  responses: Array<Record<string, unknown>>;
}

export interface E2E {
  run: SandboxRun;
  fake: FakeSlackApi;
  services: CoreServices;
  bot: BotServer;
  config: Config;
  /** POST /slack/events on the bot (HTTP transport). */
  url: string;
  /** The bot's HTTP server (absent in Socket Mode). */
  server: Server | undefined;
  /** Socket Mode: Slack's side of the WebSocket. */
  socket: FakeSlackSocket | undefined;
  /** Moves the core's clock (approvals, workflow) forward. */
  clock: { offsetMs: number };
  /** Sends a signed slash command and waits for its ack; `settle` (default true) also waits for the work. */
  command(
    text: string,
    options?: { user?: SlackUser; channel?: string; settle?: boolean; team?: RequestTeam },
  ): Promise<CommandResult>;
  /**
   * Clicks the button `actionId` (core id, e.g. cis:approve) of a message as `user` and waits for its
   * ack; `settle` (default true) also waits for the work.
   */
  click(
    message: FakeMessage,
    actionId: string,
    user: SlackUser,
    options?: { nth?: number; team?: RequestTeam; settle?: boolean },
  ): Promise<{ status: number; body: string; timestamp: number }>;
  /** The bot's base URL (HTTP server): install routes. */
  baseUrl: string;
  /** Waits for all work the adapter accepted. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface ButtonSpec {
  action_id: string;
  value: string;
  style?: string;
  text: { text: string };
  confirm?: { title: { text: string }; text: { text: string } };
}

/** Every button of a message, in order. */
export function buttonsOf(message: FakeMessage): ButtonSpec[] {
  return (message.blocks as Array<{ type: string; elements?: ButtonSpec[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

/** All visible text of a message (blocks and fallback), for assertions on what a person reads. */
export function textOf(message: FakeMessage | { text: string; blocks: unknown[] }): string {
  const parts: string[] = [message.text];
  const walk = (value: unknown, key = ''): void => {
    if (typeof value === 'string') {
      if (key === 'text') parts.push(value);
    } else if (Array.isArray(value)) for (const v of value) walk(v);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(message.blocks);
  return parts.join('\n');
}

export async function startE2E(options: E2EOptions = {}): Promise<E2E> {
  const run = await startSandboxRun(options.scenario ?? bundledScenario('audit-demo'), {
    roleAccounts: [],
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.awsTap ? { clientConfig: { endpoint: options.awsTap.url } } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  options.awsTap?.forwardTo(run.sandbox);
  const socket = options.transport === 'socket' ? await FakeSlackSocket.start() : undefined;
  const fake = await FakeSlackApi.start({
    userGroups: { [APPROVER_GROUP]: [CAROL.id, 'U0DAVE0001'] },
    ...options.fake,
    methods: { ...socket?.methods, ...options.oauth?.methods, ...options.fake?.methods },
  });
  options.oauth?.attach(fake);
  const extra = typeof options.document === 'function' ? options.document(run) : options.document;
  const config = loadConfig({
    document: {
      aws: { accounts: run.otherAccounts, region: run.defaultRegion },
      approvals: {
        ttl_minutes: 60,
        slack: {
          users: [BOB.id, ALICE.id],
          user_groups: [APPROVER_GROUP],
          require_distinct_approver: true,
        },
      },
      remediation: { subscription: { protocol: 'sqs', endpoint: SQS_ENDPOINT } },
      ...extra,
      slack: {
        ...(socket ? { mode: 'socket' } : {}),
        ...(options.oauth
          ? { oauth: { scopes: ['commands', 'chat:write', 'chat:write.public', 'usergroups:read'] } }
          : {}),
        ...(extra?.slack as Record<string, unknown> | undefined),
      },
    },
    env: {
      ...(options.oauth ? OAUTH_ENV : { SLACK_BOT_TOKEN: FAKE_BOT_TOKEN }),
      ...(socket ? { SLACK_APP_TOKEN: FAKE_APP_TOKEN } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      SLACK_API_URL: fake.apiUrl,
      PORT: '0',
      LOG_LEVEL: 'error',
      ...options.env,
    },
  });
  const clock = { offsetMs: 0 };
  const services = createCoreServices({
    config,
    session: run.session,
    region: run.defaultRegion,
    labels: run.labels,
    store: options.store ?? openStore(options.storePath ?? ':memory:'),
    now: () => new Date(Date.now() + clock.offsetMs),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const bot = await startBot(config, services, {
    port: 0,
    host: '127.0.0.1',
    startTimers: false,
    ...(options.loggers ? { loggers: options.loggers } : {}),
    ...(options.progressAfterMs !== undefined ? { progressAfterMs: options.progressAfterMs } : {}),
  });
  const server = bot.server;
  const baseUrl = server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : '';
  const url = server ? `${baseUrl}/slack/events` : '';
  const idle = async () => {
    await bot.slack?.idle();
  };
  /** Delivers a command (form body) or click (payload=) the way the transport does; resolves at the ack. */
  const deliver = async (
    kind: 'slash_commands' | 'interactive',
    body: string,
    timestamp: number,
  ): Promise<{ status: number; text: string }> => {
    if (!socket) return postSigned(url, { body, timestamp });
    const form = Object.fromEntries(new URLSearchParams(body));
    const payload =
      kind === 'interactive' ? (JSON.parse(form.payload ?? '{}') as Record<string, unknown>) : form;
    const envelope = socket.send(kind, payload);
    await socket.waitForAck(envelope);
    return { status: 200, text: JSON.stringify(envelope.ack ?? {}) };
  };

  return {
    run,
    fake,
    services,
    bot,
    config,
    url,
    baseUrl,
    server,
    socket,
    clock,
    idle,
    async command(text, opts = {}) {
      const user = opts.user ?? ALICE;
      const responseUrl = fake.responseUrl();
      const body = slashCommandBody({
        text,
        response_url: responseUrl,
        user_id: user.id,
        user_name: user.name,
        channel_id: opts.channel ?? CHANNEL,
        ...(opts.team
          ? {
              team_id: opts.team.teamId,
              ...(opts.team.enterpriseId ? { enterprise_id: opts.team.enterpriseId } : {}),
              is_enterprise_install: opts.team.enterpriseInstall === true,
            }
          : {}),
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const before = fake.calls.length;
      const res = await deliver('slash_commands', body, timestamp);
      if (opts.settle !== false) await idle();
      const progress = fake.calls
        .slice(before)
        .find(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.args.thread_ts === undefined &&
            String(c.args.text).includes(`for <@${user.id}>`),
        );
      const ts = progress?.response.ts;
      const path = new URL(responseUrl).pathname;
      return {
        ...res,
        responseUrl,
        body,
        timestamp,
        message: typeof ts === 'string' ? fake.message(opts.channel ?? CHANNEL, ts) : undefined,
        responses: fake.calls
          .filter((c) => c.method === 'response_url' && c.args.url === path)
          .map((c) => c.args),
      };
    },
    async click(message, actionId, user, opts = {}) {
      const buttons = buttonsOf(message).filter((b) => buttonIdOf(b.action_id) === actionId);
      const button = buttons[opts.nth ?? 0];
      if (!button) throw new Error(`no ${actionId} button in message ${message.ts}: ${textOf(message)}`);
      const body = blockActionsBody({
        actionId: button.action_id,
        value: button.value,
        response_url: fake.responseUrl(),
        messageTs: message.ts,
        channelId: message.channel,
        userId: user.id,
        userName: user.name,
        ...(opts.team
          ? {
              teamId: opts.team.teamId,
              userTeamId: opts.team.enterpriseInstall ? (opts.team.enterpriseId as string) : opts.team.teamId,
              ...(opts.team.enterpriseId ? { enterpriseId: opts.team.enterpriseId } : {}),
              isEnterpriseInstall: opts.team.enterpriseInstall === true,
            }
          : {}),
        message: {
          text: message.text,
          blocks: message.blocks,
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        },
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const res = await deliver('interactive', body, timestamp);
      if (opts.settle !== false) await idle();
      return { status: res.status, body, timestamp };
    },
    async close() {
      await bot.close();
      await socket?.close();
      await fake.close();
      await run.close();
    },
  };
}

/** The bot's HTTP server (HTTP transport); tests that observe its responses use it. */
export function httpServerOf(harness: E2E): Server {
  if (!harness.server) throw new Error('the bot serves no HTTP (Socket Mode)');
  return harness.server;
}

/** Every Web API call and response_url post was accepted and within Block Kit's limits. */
export function expectAllAccepted(fake: FakeSlackApi): void {
  expect(fake.calls.filter((c) => c.response.ok !== true)).toEqual([]);
  for (const call of fake.calls.filter((c) => c.method.startsWith('chat.') || c.method === 'response_url')) {
    expect(validateBlockKit(call.args)).toEqual([]);
    expect(String(call.args.text ?? '').trim()).not.toBe('');
  }
}

/** A message and the replies in its thread, oldest first. */
export function withThread(fake: FakeSlackApi, message: FakeMessage): FakeMessage[] {
  return [message, ...fake.thread(message.channel, message.ts)];
}

/** What a message looks like now (to show a refused click left it as it was). */
export function snapshot(message: FakeMessage | undefined): unknown {
  return message === undefined ? undefined : structuredClone(message);
}

/** AWS calls that change something (everything but reads and AssumeRole). */
export function awsWrites(run: SandboxRun): string[] {
  return run.sandbox.calls
    .map((c) => c.operation)
    .filter((op) => !/^(Describe|Get|List|Lookup)/.test(op) && op !== 'AssumeRole');
}

/** The store's whole observable content (forgery tests compare it before and after). */
export async function storeSnapshot(services: CoreServices): Promise<unknown> {
  const { store } = services;
  return {
    log: await store.listAuditLog({ limit: 100_000 }),
    approvals: await store.listApprovals({ limit: 100_000 }),
    findings: await store.latestFindings('4.1'),
  };
}
