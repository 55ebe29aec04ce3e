/**
 * Helpers for the Teams end-to-end tests: the real bot (startBot with the real core) over the AWS
 * sandbox of the bundled audit-demo scenario, a loopback fake Bot Connector as every activity's
 * serviceUrl, and readers for what the bot sent (Adaptive Cards, their texts and buttons).
 */

import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { Metrics } from '../../src/core/ports/metrics';
import { type CoreServices, createCoreServices } from '../../src/runtime';
import { bundledScenario, type SandboxRun, startSandboxRun } from '../../src/sandbox-run';
import { type BotServer, startBot } from '../../src/server';
import { openStore } from '../../src/store';
import type { ConnectorCall } from '../support/fake-bot-connector';
import { postActivity } from './harness';

// botbuilder honours HTTP(S)_PROXY; loopback traffic must not go through one.
process.env.NO_PROXY = '127.0.0.1,localhost';

/** The SQS queue the remediation subscribes (SQS subscriptions are confirmed at once). */
export const ALARM_QUEUE = 'arn:aws:sqs:eu-west-2:999900000001:cis-security-alarms';

export interface E2eBot {
  run: SandboxRun;
  config: Config;
  services: CoreServices;
  bot: BotServer;
  url: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies
  post(activity: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts the audit-demo sandbox and the real bot on 127.0.0.1:0 with `document` and `env`. */
export async function startE2eBot(opts: {
  document: (run: SandboxRun) => Record<string, unknown>;
  env: Record<string, string>;
  run?: SandboxRun;
  /** Audits show progress after this long (default: the server's). */
  progressAfterMs?: number;
  /** The bot's metrics (services; the sandbox run's session when it is made here), with `document.metrics` saying the same. */
  metrics?: Metrics;
}): Promise<E2eBot> {
  const run =
    opts.run ??
    (await startSandboxRun(bundledScenario('audit-demo'), {
      roleAccounts: [],
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
    }));
  const config = loadConfig({ document: opts.document(run), env: { PORT: '0', ...opts.env } });
  const services = createCoreServices({
    config,
    session: run.session,
    labels: run.labels,
    region: run.defaultRegion,
    store: openStore(':memory:'),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  const bot = await startBot(config, services, {
    port: 0,
    host: '127.0.0.1',
    startTimers: false,
    ...(opts.progressAfterMs !== undefined ? { progressAfterMs: opts.progressAfterMs } : {}),
  });
  const url = `http://127.0.0.1:${bot.port}/api/messages`;
  return {
    run,
    config,
    services,
    bot,
    url,
    post: (activity, headers = {}) => postActivity(url, activity, headers),
    async close() {
      await bot.close();
      if (!opts.run) await run.close();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: Adaptive Card JSON, walked freely
type Json = any;

/** The Adaptive Card a message carries (the first attachment). */
export function cardOf(call: ConnectorCall | undefined): Json {
  const attachment = call?.activity?.attachments?.[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') {
    throw new Error(`not an Adaptive Card message: ${JSON.stringify(call?.activity)?.slice(0, 300)}`);
  }
  return attachment.content;
}

/** Every piece of text a person sees on a card: text runs, text blocks, facts, button titles. */
export function textsOf(node: Json): string[] {
  const out: string[] = [];
  const walk = (n: Json) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (typeof n.text === 'string') out.push(n.text);
    if (n.type === 'Fact') out.push(`${n.title}: ${n.value}`);
    if (Array.isArray(n.facts)) for (const f of n.facts) out.push(`${f.title}: ${f.value}`);
    if (typeof n.title === 'string' && String(n.type).startsWith('Action.')) out.push(n.title);
    for (const [key, value] of Object.entries(n)) if (key !== 'fallback' && key !== 'facts') walk(value);
  };
  walk(node);
  return out;
}

/** The text of a card as one string (for regex assertions). */
export function plainOf(card: Json): string {
  return textsOf(card).join('\n');
}

export interface FoundAction {
  type: string;
  title: string;
  verb: string;
  value: string;
}

/** Every Action.Execute on the card, including those inside an Action.ShowCard (confirmations). */
export function executeActions(node: Json): FoundAction[] {
  const out: FoundAction[] = [];
  const walk = (n: Json) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (n.type === 'Action.Execute')
      out.push({ type: n.type, title: n.title, verb: n.verb, value: n.data?.value });
    for (const [key, value] of Object.entries(n)) if (key !== 'fallback') walk(value);
  };
  walk(node);
  return out;
}

/** Top-level action types of the card's ActionSets (Approve is a ShowCard, Reject an Execute). */
export function actionTypes(card: Json): string[] {
  return (card.body as Json[])
    .filter((e) => e.type === 'ActionSet')
    .flatMap((e) => (e.actions as Json[]).map((a) => `${a.type}:${a.title}`));
}
