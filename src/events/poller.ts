/**
 * The drift-alert poller: long-polls the events queue (`events.queue_url`), reads each message
 * (core/drift: a CloudTrail event whose call can break a watched control), debounces per account (a
 * burst of calls is one re-audit), and hands each account's batch to the re-audit. Messages are deleted
 * only once the re-audit is recorded:
 * - ignored messages (not JSON, truncated, not a CloudTrail call, a call that breaks nothing, an account
 *   cis-bot does not audit) are logged with the reason and deleted: they can never become useful;
 * - an account whose lease is held (a remediation running there) keeps its batch: the messages stay
 *   invisible (their visibility is extended) and the batch is tried again after `busyRetryMs`;
 * - a batch whose re-audit fails (the store or the audit threw) is poison: it is logged with the reason
 *   and left on the queue, so SQS delivers it again after its visibility timeout and the queue's redrive
 *   policy moves it to the dead-letter queue after maxReceiveCount receives. Without a redrive policy
 *   the poller deletes it itself after `maxReceives` receives (logged), so it never loops.
 * Across replicas SQS's visibility gives each message to one poller, the account lease keeps re-audits
 * of one account apart, and the alert state's compare-and-set posts each change once (reaudit.ts).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Control } from '../core/controls/types';
import { breakingIndex, type ChainChange, type IgnoredCategory, parseChangeMessage } from '../core/drift';
import type { AccountDirectory } from '../core/ports/account-directory';
import type { Logger } from '../core/ports/logger';
import {
  type DriftEventOutcome,
  type DriftPollerProbe,
  type Metrics,
  NO_METRICS,
} from '../core/ports/metrics';
import { errorFields } from '../scheduler/log';
import { checkEventsQueue, type QueueFacts } from './queue-check';
import type { DriftReauditor } from './reaudit';

export interface DriftPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  reauditor: Pick<DriftReauditor, 'reaudit'>;
  /** The accounts cis-bot audits: events of other accounts are dropped. */
  accounts: Pick<AccountDirectory, 'has' | 'list'>;
  /** The controls the alerts watch (events that break none of them are dropped). */
  controls: readonly Control[];
  log: Logger;
  /** Quiet time after an account's latest event before its re-audit (a burst is one re-audit). */
  debounceMs: number;
  /** The longest an account's first event waits for its re-audit while events keep coming. */
  debounceMaxMs: number;
  /** ReceiveMessage long-poll time (1 to 20 s). */
  waitSeconds: number;
  /** When the account's lease is held, the batch is tried again after this long. */
  busyRetryMs: number;
  /** Accounts re-audited at once. */
  concurrency: number;
  /** Without a redrive policy on the queue, a poison message is deleted after this many receives. */
  maxReceives: number;
  /** Where the poller records what it receives, re-audits and posts (default: nowhere). */
  metrics?: Metrics;
}

export interface DriftPollerStats {
  received: number;
  ignored: number;
  deleted: number;
  reaudits: number;
  busy: number;
  poison: number;
  alerts: number;
}

/** A received message, shared by the batches of every account it affects (one, or all for an organization-wide call). */
interface HeldMessage {
  receiptHandle: string;
  receiveCount: number;
  /** Batches still to record it: deleted when the last one is recorded. */
  remaining: number;
  /** A batch holding it failed: it stays on the queue for redelivery. */
  failed: boolean;
  /** When this replica received it (epoch ms; a redelivery after a failure is a new receive). */
  receivedAt: number;
}

interface Batch {
  changes: ChainChange[];
  controls: Set<string>;
  messages: Map<string, HeldMessage>;
  timer?: NodeJS.Timeout | undefined;
  /** When its first event arrived (the debounce never waits longer than debounceMaxMs after it). */
  firstAt?: number;
  /** Waiting for a busy account: new events join it without moving its retry. */
  retrying?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const OUTCOME_OF_IGNORED: Record<IgnoredCategory, DriftEventOutcome> = {
  malformed: 'malformed',
  foreign: 'ignored-foreign',
  irrelevant: 'ignored-irrelevant',
};

export class DriftPoller implements DriftPollerProbe {
  readonly stats: DriftPollerStats = {
    received: 0,
    ignored: 0,
    deleted: 0,
    reaudits: 0,
    busy: 0,
    poison: 0,
    alerts: 0,
  };
  private readonly index: ReturnType<typeof breakingIndex>;
  private readonly pending = new Map<string, Batch>();
  private readonly held = new Map<string, HeldMessage>();
  private running = false;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private inflight = 0;
  private readonly waiting: Array<() => void> = [];
  private queue: QueueFacts | undefined;
  private lastPoll: number | undefined;
  private readonly metrics: Metrics;

  constructor(private readonly options: DriftPollerOptions) {
    this.index = breakingIndex(options.controls);
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /** When ReceiveMessage last answered (epoch ms): stale means the poller is stuck or cannot reach SQS. */
  lastPollAt(): number | undefined {
    return this.lastPoll;
  }

  /** When the oldest message held here was received (epoch ms): old means its batch is not being recorded. */
  oldestPendingAt(): number | undefined {
    let oldest: number | undefined;
    for (const held of this.held.values()) {
      if (oldest === undefined || held.receivedAt < oldest) oldest = held.receivedAt;
    }
    return oldest;
  }

  /** Checks the queue (a clear ConfigError when it is missing or denied), then polls until stop(). */
  async start(): Promise<QueueFacts> {
    const { sqs, queueUrl, log } = this.options;
    const queue = await checkEventsQueue(sqs, queueUrl);
    this.queue = queue;
    if (!queue.redrive) {
      log.warn(
        'the events queue has no redrive policy: poison messages are deleted after events.max_receives receives instead of moving to a dead-letter queue',
        { queueUrl, maxReceives: this.options.maxReceives },
      );
    }
    this.running = true;
    this.metrics.watchDriftPoller(this);
    this.loop = this.poll();
    log.info('drift alerts: polling the events queue', {
      queueUrl,
      visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
      deadLetterQueue: queue.redrive?.deadLetterTargetArn ?? null,
    });
    return queue;
  }

  /** Stops polling and waits for re-audits in progress; batches still debouncing stay on the queue. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    await this.loop;
    for (const batch of this.pending.values()) clearTimeout(batch.timer);
    this.pending.clear();
    this.held.clear();
    while (this.inflight > 0) await sleep(10);
  }

  /** Resolves once nothing is debouncing or being re-audited (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.pending.size > 0 || this.inflight > 0) await sleep(10);
  }

  private async poll(): Promise<void> {
    const { sqs, queueUrl, log, waitSeconds } = this.options;
    let failures = 0;
    while (this.running) {
      this.abort = new AbortController();
      let messages: Message[];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: waitSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = out.Messages ?? [];
        failures = 0;
        this.lastPoll = Date.now();
      } catch (error) {
        if (!this.running) return;
        failures++;
        this.metrics.driftPollError();
        log.error('could not receive from the events queue; retrying', { queueUrl, ...errorFields(error) });
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
        continue;
      }
      for (const message of messages) await this.accept(message);
    }
  }

  private async accept(message: Message): Promise<void> {
    const { log } = this.options;
    this.stats.received++;
    const messageId = message.MessageId ?? '';
    const receiptHandle = message.ReceiptHandle;
    if (!receiptHandle) return;
    const parsed = parseChangeMessage(message.Body, this.index);
    if (parsed.kind === 'ignored') {
      this.stats.ignored++;
      this.metrics.driftEvent(OUTCOME_OF_IGNORED[parsed.category]);
      log.warn('drift event ignored and deleted', { messageId, reason: parsed.reason });
      await this.delete([receiptHandle]);
      return;
    }
    const { change } = parsed;
    let targets: string[];
    try {
      targets = change.allAccounts
        ? (await this.options.accounts.list()).map((a) => a.accountId)
        : (await this.options.accounts.has(change.accountId))
          ? [change.accountId]
          : [];
    } catch (error) {
      // The account list could not be read: the message stays and comes back after its visibility timeout.
      this.metrics.driftEvent('deferred');
      log.error('drift event kept: the accounts cis-bot audits could not be listed', {
        messageId,
        ...errorFields(error),
      });
      return;
    }
    if (targets.length === 0) {
      this.stats.ignored++;
      this.metrics.driftEvent('ignored-foreign');
      log.warn('drift event ignored and deleted', {
        messageId,
        reason: `account ${change.accountId} is not one cis-bot audits`,
        eventName: change.eventName,
      });
      await this.delete([receiptHandle]);
      return;
    }
    this.metrics.driftEvent('mapped');
    let held = this.held.get(messageId);
    if (!held) {
      held = { receiptHandle, receiveCount: 0, remaining: 0, failed: false, receivedAt: Date.now() };
      this.held.set(messageId, held);
    }
    held.receiptHandle = receiptHandle;
    held.receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
    for (const accountId of targets) this.add(accountId, messageId, held, change);
  }

  private add(accountId: string, messageId: string, held: HeldMessage, change: ChainChange): void {
    let batch = this.pending.get(accountId);
    if (!batch) {
      batch = { changes: [], controls: new Set(), messages: new Map() };
      this.pending.set(accountId, batch);
    }
    if (!batch.messages.has(messageId)) {
      batch.changes.push(change);
      held.remaining++;
    }
    batch.messages.set(messageId, held);
    for (const link of change.links) batch.controls.add(link.control);
    // Trailing debounce: each event restarts the quiet time, up to debounceMaxMs after the first one.
    if (batch.firstAt === undefined) batch.firstAt = Date.now();
    if (batch.retrying) return;
    clearTimeout(batch.timer);
    const left = batch.firstAt + this.options.debounceMaxMs - Date.now();
    this.arm(accountId, batch, Math.max(0, Math.min(this.options.debounceMs, left)));
  }

  private arm(accountId: string, batch: Batch, delayMs: number): void {
    batch.timer = setTimeout(() => {
      void this.flush(accountId, batch);
    }, delayMs);
  }

  private async flush(accountId: string, batch: Batch): Promise<void> {
    const { log } = this.options;
    if (this.pending.get(accountId) === batch) this.pending.delete(accountId);
    this.inflight++;
    await this.slot();
    try {
      if (!this.running) return;
      const controls = [...batch.controls].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const handles = [...batch.messages.entries()];
      let outcome: Awaited<ReturnType<DriftReauditor['reaudit']>>;
      try {
        this.stats.reaudits++;
        outcome = await this.options.reauditor.reaudit(accountId, controls, batch.changes);
      } catch (error) {
        this.metrics.driftReaudit({ accountId, result: 'failed' });
        this.poison(accountId, this.settle(handles, true), error);
        return;
      }
      this.metrics.driftReaudit({ accountId, result: outcome.kind });
      if (outcome.kind === 'busy') {
        this.stats.busy++;
        log.info('account busy: its drift re-audit waits', {
          accountId,
          holder: outcome.holder,
          retryMs: this.options.busyRetryMs,
        });
        await this.keep(accountId, batch);
        return;
      }
      this.stats.alerts += outcome.alerts.length;
      const receivedAt = Math.min(...handles.map(([, h]) => h.receivedAt));
      for (const alert of outcome.alerts) {
        this.metrics.driftAlert({
          control: alert.control,
          accountId: alert.after.accountId,
          transition: alert.after.status === 'COMPLIANT' ? 'recovered' : 'broke',
          latencyMs: Date.now() - receivedAt,
        });
      }
      const done = this.settle(handles, false).filter((h) => !h.failed);
      await this.delete(done.map((h) => h.receiptHandle));
    } finally {
      this.release();
      this.inflight--;
    }
  }

  /**
   * One batch is done with its messages: those no other batch holds any more are returned (to delete, or,
   * after a failure, to leave on the queue).
   */
  private settle(handles: ReadonlyArray<[string, HeldMessage]>, failed: boolean): HeldMessage[] {
    const released: HeldMessage[] = [];
    for (const [id, held] of handles) {
      held.failed ||= failed;
      held.remaining--;
      if (held.remaining > 0) continue;
      this.held.delete(id);
      released.push(held);
    }
    return released;
  }

  /** A busy account's batch: merged with what arrived meanwhile, kept invisible, tried again later. */
  private async keep(accountId: string, batch: Batch): Promise<void> {
    if (!this.running) return;
    const current = this.pending.get(accountId);
    if (current) {
      clearTimeout(current.timer);
      const known = new Set(batch.changes.map((c) => c.eventId));
      for (const c of current.changes) if (!known.has(c.eventId)) batch.changes.push(c);
      for (const [id, m] of current.messages) {
        // The same message in both batches counts once.
        if (batch.messages.has(id)) m.remaining--;
        batch.messages.set(id, m);
      }
      for (const c of current.controls) batch.controls.add(c);
    }
    batch.timer = undefined;
    batch.retrying = true;
    this.pending.set(accountId, batch);
    await this.extend([...batch.messages.values()].map((m) => m.receiptHandle));
    this.arm(accountId, batch, this.options.busyRetryMs);
  }

  private poison(accountId: string, handles: HeldMessage[], error: unknown): void {
    const { log, maxReceives } = this.options;
    this.stats.poison += handles.length;
    const receives = Math.max(0, ...handles.map((h) => h.receiveCount));
    const redrive = this.queue?.redrive;
    const fields = { accountId, messages: handles.length, receives, ...errorFields(error) };
    if (!redrive && receives >= maxReceives) {
      log.error(
        'drift event dropped: its re-audit failed on every receive (the queue has no redrive policy)',
        {
          ...fields,
          maxReceives,
        },
      );
      void this.delete(handles.map((h) => h.receiptHandle));
      return;
    }
    log.error('drift event not processed: its re-audit failed; left on the queue for redelivery', {
      ...fields,
      ...(redrive
        ? { deadLetterQueue: redrive.deadLetterTargetArn, maxReceiveCount: redrive.maxReceiveCount }
        : { maxReceives }),
    });
  }

  private async delete(receiptHandles: readonly string[]): Promise<void> {
    const { sqs, queueUrl, log } = this.options;
    for (const group of chunks(receiptHandles, 10)) {
      try {
        const out = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: group.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle })),
          }),
        );
        this.stats.deleted += out.Successful?.length ?? 0;
        if (out.Failed?.length) {
          log.warn('some drift events were not deleted (they come back and are re-audited again)', {
            failed: out.Failed.map((f) => f.Code),
          });
        }
      } catch (error) {
        log.warn('drift events not deleted (they come back and are re-audited again)', errorFields(error));
      }
    }
  }

  private async extend(receiptHandles: readonly string[]): Promise<void> {
    const { sqs, queueUrl, log } = this.options;
    const seconds = Math.max(
      this.queue?.visibilityTimeoutSeconds ?? 30,
      Math.ceil((2 * this.options.busyRetryMs) / 1000),
    );
    for (const group of chunks(receiptHandles, 10)) {
      await sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: group.map((ReceiptHandle, i) => ({
              Id: String(i),
              ReceiptHandle,
              VisibilityTimeout: Math.min(43_200, seconds),
            })),
          }),
        )
        .catch((error: unknown) =>
          log.warn('could not extend the visibility of waiting drift events', errorFields(error)),
        );
    }
  }

  private active = 0;

  private async slot(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
