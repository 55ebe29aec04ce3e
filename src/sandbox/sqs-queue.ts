/**
 * One SQS standard queue: its messages and the rules SQS applies to them. A received message stays in
 * the queue, invisible for its visibility timeout, and comes back unless deleted with its latest receipt
 * handle; every receive counts (ApproximateReceiveCount), and with a redrive policy a message received
 * maxReceiveCount times moves to the dead-letter queue instead of being delivered again. Long polls wait
 * (without blocking anything else) until a message can be delivered, their wait ends, the queue is
 * deleted or the sandbox stops. The SQS service handlers (services/sqs.ts) and SNS/event deliveries use it.
 */
import { createHash } from 'node:crypto';

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface QueueMessage {
  id: string;
  body: string;
  md5: string;
  attributes: Record<string, MessageAttribute>;
  senderId: string;
  /** Epoch ms; kept when the message moves to a dead-letter queue (retention counts from here). */
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** Only the latest receipt handle deletes the message (AWS: an older one succeeds and deletes nothing). */
  handle?: string;
}

/** Attributes every new queue has, as GetQueueAttributes spells them. */
export const QUEUE_DEFAULTS: Readonly<Record<string, string>> = {
  VisibilityTimeout: '30',
  MessageRetentionPeriod: '345600',
  MaximumMessageSize: '262144',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  SqsManagedSseEnabled: 'true',
};

export const md5Hex = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/** SQS's MD5 of message attributes: name, type, transport byte and value, length-prefixed, by name. */
export function md5OfAttributes(attributes: Record<string, MessageAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of names) {
    const a = attributes[name] as MessageAttribute;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(a.DataType, 'utf8'));
    const binary = a.BinaryValue !== undefined;
    parts.push(Buffer.from([binary ? 2 : 1]));
    field(binary ? Buffer.from(a.BinaryValue as string, 'base64') : Buffer.from(a.StringValue ?? '', 'utf8'));
  }
  return md5Hex(Buffer.concat(parts));
}

export interface RedriveTarget {
  maxReceiveCount: number;
  queue: Queue;
}

export class Queue {
  readonly arn: string;
  readonly attributes: Record<string, string>;
  readonly createdAt: number;
  lastModifiedAt: number;
  /** When the last PurgeQueue ran (a second one within 60 s is refused). */
  purgedAt?: number;
  deleted = false;
  private messages: QueueMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private handleSeq = 0;

  constructor(
    readonly name: string,
    readonly accountId: string,
    readonly region: string,
    attributes: Record<string, string> = {},
    now = Date.now(),
  ) {
    this.arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
    this.attributes = { ...QUEUE_DEFAULTS, ...attributes };
    this.createdAt = now;
    this.lastModifiedAt = now;
  }

  private seconds(name: string): number {
    return Number(this.attributes[name] ?? QUEUE_DEFAULTS[name] ?? 0);
  }

  /** Adds a message (after the queue's or the message's delay) and wakes long polls. */
  send(
    message: Omit<QueueMessage, 'visibleAt' | 'receiveCount' | 'md5'> & { delaySeconds?: number },
    now = Date.now(),
  ): QueueMessage {
    const { delaySeconds, ...rest } = message;
    const stored: QueueMessage = {
      ...rest,
      md5: md5Hex(message.body),
      visibleAt: now + 1000 * (delaySeconds ?? this.seconds('DelaySeconds')),
      receiveCount: 0,
    };
    this.messages.push(stored);
    this.wake();
    return stored;
  }

  /** A message moved here by a redrive: same id, body and send time; its receive count starts again. */
  private adopt(m: QueueMessage, now: number): void {
    const { handle: _handle, firstReceiveAt: _first, ...rest } = m;
    this.messages.push({ ...rest, visibleAt: now, receiveCount: 0 });
    this.wake();
  }

  private expire(now: number): void {
    const oldest = now - 1000 * this.seconds('MessageRetentionPeriod');
    if (this.messages.some((m) => m.sentAt < oldest))
      this.messages = this.messages.filter((m) => m.sentAt >= oldest);
  }

  /** Visible messages (oldest first), made invisible for `visibility` seconds; redrives what has had its receives. */
  take(
    max: number,
    visibility: number,
    redrive: RedriveTarget | undefined,
    now = Date.now(),
  ): QueueMessage[] {
    this.expire(now);
    const out: QueueMessage[] = [];
    for (const m of [...this.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        this.remove(m);
        redrive.queue.adopt(m, now);
        continue;
      }
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + visibility * 1000;
      m.handle = Buffer.from(`${this.arn}\u0000${m.id}\u0000${++this.handleSeq}`, 'utf8').toString('base64');
      out.push(m);
    }
    return out;
  }

  /**
   * Receives like `take`, waiting up to `waitSeconds` for a message when none is visible; returns early
   * (possibly empty) when `signal` aborts or the queue is deleted.
   */
  async receive(
    max: number,
    visibility: number,
    waitSeconds: number,
    redrive: () => RedriveTarget | undefined,
    signal: AbortSignal,
  ): Promise<QueueMessage[]> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const got = this.take(max, visibility, redrive());
      if (got.length > 0 || Date.now() >= deadline || signal.aborted || this.deleted) return got;
      await this.waitForChange(deadline, signal);
    }
  }

  /** Resolves on the next send or visibility change, when a hidden message reappears, or at the deadline. */
  private waitForChange(deadline: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const now = Date.now();
      let reappear = Number.POSITIVE_INFINITY;
      for (const m of this.messages) if (m.visibleAt > now && m.visibleAt < reappear) reappear = m.visibleAt;
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(deadline, reappear) - now));
      timer.unref();
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private remove(m: QueueMessage): void {
    this.messages = this.messages.filter((x) => x !== m);
  }

  /** The message a receipt handle names: `invalid` when it is not one of this queue's handles. */
  byHandle(handle: string): QueueMessage | 'invalid' | 'gone' {
    const parts = Buffer.from(handle, 'base64').toString('utf8').split('\u0000');
    if (parts.length !== 3 || parts[0] !== this.arn) return 'invalid';
    return this.messages.find((m) => m.id === parts[1]) ?? 'gone';
  }

  /** Deletes by receipt handle; a stale handle (the message was received again since) deletes nothing. */
  delete(handle: string): 'deleted' | 'stale' | 'invalid' {
    const m = this.byHandle(handle);
    if (m === 'invalid') return 'invalid';
    if (m === 'gone' || m.handle !== handle) return 'stale';
    this.remove(m);
    return 'deleted';
  }

  /** Changes an in-flight message's visibility; 0 makes it visible (and wakes long polls) at once. */
  changeVisibility(
    handle: string,
    seconds: number,
    now = Date.now(),
  ): 'ok' | 'invalid' | 'gone' | 'not-in-flight' {
    const m = this.byHandle(handle);
    if (m === 'invalid' || m === 'gone') return m;
    if (m.handle !== handle) return 'gone';
    if (m.visibleAt <= now) return 'not-in-flight';
    m.visibleAt = now + seconds * 1000;
    if (seconds === 0) this.wake();
    return 'ok';
  }

  purge(now = Date.now()): void {
    this.messages = [];
    this.purgedAt = now;
  }

  /** Marks the queue deleted and ends its long polls. */
  close(): void {
    this.deleted = true;
    this.messages = [];
    this.wake();
  }

  counts(now = Date.now()): { visible: number; inFlight: number; delayed: number } {
    this.expire(now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }
}
