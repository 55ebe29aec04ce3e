/**
 * Drift alerts, wired: from the configuration's `events:` section and the core's services, the SQS
 * client (cis-bot's own credentials, the queue's region), the re-audit and the poller. The bot server
 * starts it after the chat adapters (it posts through their posters) and stops it first on close.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/schema';
import { selectControls } from '../core/controls/registry';
import { ConfigError } from '../core/errors';
import type { ChatPoster, Platform } from '../core/ports/chat';
import type { Logger } from '../core/ports/logger';
import type { CoreServices } from '../runtime';
import { DriftPoller } from './poller';
import type { QueueFacts } from './queue-check';
import { type AlertTarget, DriftReauditor } from './reaudit';

export { DriftPoller, type DriftPollerOptions, type DriftPollerStats } from './poller';
export { checkEventsQueue, EVENTS_QUEUE_ACTIONS, type QueueFacts } from './queue-check';
export { type AlertTarget, DriftReauditor, EVENTS_ACTOR, type ReauditOutcome } from './reaudit';

export interface DriftAlerts {
  poller: DriftPoller;
  sqs: SQSClient;
  targets: readonly AlertTarget[];
  /** Checks the queue (ConfigError naming the permission when missing or denied) and starts polling. */
  start(): Promise<QueueFacts>;
  stop(): Promise<void>;
}

/** The region of an SQS queue URL (`https://sqs.eu-west-2.amazonaws.com/...`), if it names one. */
export function queueRegion(queueUrl: string): string | undefined {
  try {
    return /^sqs[.-]([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(queueUrl).hostname)?.[1];
  } catch {
    return undefined;
  }
}

/** events.targets as the re-audit posts them: each conversation with its level. */
export function alertTargets(events: Config['events']): AlertTarget[] {
  return Object.entries(events.targets).flatMap(([platform, list]) =>
    list.map(
      (t): AlertTarget =>
        typeof t === 'string'
          ? { platform, id: t, level: events.level }
          : { platform, id: t.id, level: t.level },
    ),
  );
}

export interface DriftAlertsOptions {
  config: Config;
  services: CoreServices;
  posters: readonly ChatPoster[];
  log: Logger;
  /** This replica in lease owners; default host, pid and a random suffix. */
  replica?: string;
  clock?: { now(): Date };
}

/** Undefined when events.queue_url is not set (drift alerts off). */
export function createDriftAlerts(options: DriftAlertsOptions): DriftAlerts | undefined {
  const { config, services, log } = options;
  const events = config.events;
  if (!events.queue_url) return undefined;
  const posters = new Map<Platform, ChatPoster>(options.posters.map((p) => [p.platform, p]));
  const targets = alertTargets(events);
  const missing = [...new Set(targets.map((t) => t.platform).filter((p) => !posters.has(p)))];
  if (missing.length > 0) {
    throw new ConfigError(
      `events.targets names ${missing.join(' and ')}, which this bot does not serve: configure ${missing.join(' and ')} or remove those targets.`,
    );
  }
  const region =
    events.region ?? queueRegion(events.queue_url) ?? config.aws.region ?? services.session.region;
  // Measured like the audit's clients: the poller's ReceiveMessage/DeleteMessage calls are AWS calls too.
  const sqs = services.session.measure(new SQSClient(services.session.baseClientConfig(region)));
  const replica = options.replica ?? `${hostname()}#${process.pid}#${randomUUID().slice(0, 8)}`;
  const reauditor = new DriftReauditor({
    auditor: services.auditor,
    store: services.store,
    posters,
    targets,
    log,
    clock: options.clock ?? { now: () => new Date() },
    replica,
    // The lease outlasts one account's audit (bounded by aws.account_timeout_seconds) with room to record it.
    leaseMs: (config.aws.account_timeout_seconds + 60) * 1000,
  });
  const poller = new DriftPoller({
    sqs,
    queueUrl: events.queue_url,
    reauditor,
    accounts: services.accounts,
    controls: selectControls(events.controls),
    log,
    debounceMs: events.debounce_ms,
    debounceMaxMs: Math.max(events.debounce_ms, events.debounce_max_ms),
    waitSeconds: events.wait_seconds,
    busyRetryMs: events.busy_retry_ms,
    concurrency: events.concurrency,
    maxReceives: events.max_receives,
    metrics: services.metrics,
  });
  return {
    poller,
    sqs,
    targets,
    start: () => poller.start(),
    async stop() {
      await poller.stop();
      sqs.destroy();
    },
  };
}
