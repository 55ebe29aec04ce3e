/**
 * The AWS sandbox: one loopback HTTP server that the unmodified AWS SDK v3 clients (CloudTrail, CloudWatch
 * Logs, CloudWatch, SNS, STS, SQS, KMS, Organizations, Security Hub) reach through their `endpoint` option
 * or AWS_ENDPOINT_URL. State comes from a scenario; every call is recorded; faults (latency, throttling,
 * 5xx, one-off errors) can be injected with a seed so runs repeat; calls that change the monitoring chain
 * emit CloudTrail-shaped events into SQS queues. This module owns the server's life cycle and the public
 * API; routing and protocols live in ./dispatch and ./protocols, operations in ./services.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildState } from './build-state';
import { routeChainEvent } from './chain-events';
import { dispatch, route } from './dispatch';
import { FaultPlan } from './faults';
import { parseScenario, type Scenario } from './scenario';
import type { ServiceName } from './service';
import { findTopicIn } from './services/sns-common';
import type { DeliveryRecord, SandboxState } from './state';

export { testPattern, validatePattern } from './pattern-check';
export type { ResolvedScenario, Scenario } from './scenario';
export { loadScenario, parseScenario } from './scenario';
export type { DeliveryRecord, SandboxState } from './state';

export interface SandboxOptions {
  scenario: Scenario;
  port?: number;
  latencyMs?: number;
  /** Share of calls (0..1) answered with the service's throttling error. */
  throttleRate?: number;
  /**
   * Throttling rates by service or `service:Operation` (`organizations`, `cloudwatch:DescribeAlarms`);
   * the most specific entry wins over throttleRate.
   */
  throttle?: Record<string, number>;
  /** Share of calls (0..1) answered with 503 ServiceUnavailable. */
  errorRate?: number;
  /** Seed of throttling/5xx decisions and generated ids (default 1). */
  seed?: number;
  /** One JSON line per call (no secrets). */
  log?: (line: string) => void;
}

export interface CallRecord {
  service: ServiceName;
  operation: string;
  accountId: string;
  region: string;
  status: number;
  errorCode?: string;
  startedAt: number;
  endedAt: number;
}

export interface FaultSettings {
  latencyMs?: number;
  throttleRate?: number;
  throttle?: Record<string, number>;
  errorRate?: number;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Every call, in order of arrival (retries are separate calls). */
  calls: CallRecord[];
  resetCalls(): void;
  /** SNS deliveries to subscriptions and chain-change events sent to queues (the latest 1,000). */
  deliveries: DeliveryRecord[];
  /** Base credentials of an account (its IAM user). */
  credentialsFor(accountId: string): { accessKeyId: string; secretAccessKey: string };
  /**
   * Revokes an access key (an account's base key or an AssumeRole session's): every later call signed
   * with it gets the protocol's invalid-token error (InvalidClientTokenId / UnrecognizedClientException).
   */
  revokeCredentials(accessKeyId: string): void;
  setFaults(f: FaultSettings): void;
  /**
   * The next `times` (default 1) calls of `operation` answer `errorCode` in the protocol's shape.
   * `operation` is `PutMetricAlarm` or qualified (`cloudwatch:PutMetricAlarm`, `monitoring:PutMetricAlarm`).
   */
  failNext(operation: string, errorCode: string, times?: number): void;
  /** Live mutable state (tests inspect and change it). */
  state: SandboxState;
  /** Confirms the subscription of `endpoint` on the topic, as if its owner clicked the link. */
  confirmSubscription(topicArn: string, endpoint: string): void;
  /** Stops the server; long polls in progress end at once with no messages. */
  close(): Promise<void>;
}

/** mulberry32: a small seeded PRNG so generated ids repeat run to run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const state = buildState(parseScenario(options.scenario));
  const seed = options.seed ?? 1;
  const faults = new FaultPlan(
    {
      latencyMs: options.latencyMs ?? 0,
      throttleRate: options.throttleRate ?? 0,
      errorRate: options.errorRate ?? 0,
      throttle: { ...options.throttle },
    },
    seed,
  );
  const idRng = rng(seed ^ 0x9e3779b9);
  const calls: CallRecord[] = [];
  const log = options.log;
  // Aborted by close(): every long poll in progress ends at once, so tests and CI never hang on one.
  const stopping = new AbortController();

  const nextId = (): string => {
    let hex = '';
    for (let i = 0; i < 4; i++)
      hex += Math.floor(idRng() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    if (req.method === 'GET' && !req.headers.authorization) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('cis-bot AWS sandbox: send AWS SDK requests here\n');
      return;
    }
    const body = await readBody(req);
    const routed = route({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body });
    const latency = faults.rates.latencyMs;
    if ('status' in routed) {
      if (latency > 0) await sleep(latency);
      res.writeHead(routed.status, routed.headers);
      res.end(routed.body);
      log?.(JSON.stringify({ msg: 'sandbox: unroutable request', status: routed.status }));
      return;
    }
    const record: CallRecord = {
      service: routed.service.name,
      operation: routed.operation,
      accountId: '',
      region: routed.region,
      status: 0,
      startedAt,
      endedAt: 0,
    };
    calls.push(record);
    if (latency > 0) await sleep(latency);
    const requestId = randomUUID();
    let signal: AbortSignal | undefined;
    const outcome = await dispatch(routed, {
      state,
      fault: (...args) => faults.decide(...args),
      nextId,
      requestId,
      host: req.headers.host ?? '127.0.0.1',
      // Made on first use (SQS long polls only): an AbortController, a 'close' listener and
      // AbortSignal.any per call were a sixth of the sandbox's CPU at 10,000 calls. One per call, however
      // often it is read.
      get signal() {
        signal ??= callSignal(res);
        return signal;
      },
    });
    record.accountId = outcome.accountId;
    record.status = outcome.response.status;
    if (outcome.errorCode !== undefined) record.errorCode = outcome.errorCode;
    res.writeHead(outcome.response.status, outcome.response.headers);
    res.end(outcome.response.body);
    record.endedAt = Date.now();
    if (outcome.change) {
      routeChainEvent(
        state,
        {
          service: routed.service.name,
          operation: routed.operation,
          region: routed.region,
          caller: outcome.change.caller,
          input: routed.raw,
          output: outcome.change.output,
          resources: outcome.change.resources,
          requestId,
          eventId: nextId(),
          userAgent: routed.userAgent,
          sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
          time: new Date(record.endedAt),
        },
        nextId,
      );
    }
    log?.(
      JSON.stringify({
        msg: 'sandbox call',
        service: record.service,
        operation: record.operation,
        account: record.accountId,
        region: record.region,
        status: record.status,
        ...(record.errorCode ? { error: record.errorCode } : {}),
        ms: record.endedAt - record.startedAt,
      }),
    );
    if (outcome.bug !== undefined)
      log?.(JSON.stringify({ msg: 'sandbox handler bug', error: String(outcome.bug) }));
  };

  /** Aborts when the sandbox closes or the client goes away (a long poll must not hold messages it never reads). */
  const callSignal = (res: ServerResponse): AbortSignal => {
    const gone = new AbortController();
    if (res.closed) gone.abort();
    else res.once('close', () => gone.abort());
    return AbortSignal.any([stopping.signal, gone.signal]);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log?.(JSON.stringify({ msg: 'sandbox: request failed', error: String(error) }));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    deliveries: state.deliveries,
    state,
    resetCalls() {
      calls.length = 0;
    },
    credentialsFor(accountId) {
      const account = state.accounts.get(accountId);
      if (!account) throw new Error(`sandbox: unknown account ${accountId}`);
      return { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
    },
    revokeCredentials(accessKeyId) {
      state.revokeAccessKey(accessKeyId);
    },
    setFaults(f) {
      faults.set(Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)));
    },
    failNext(operation, errorCode, times = 1) {
      faults.failNext(operation, errorCode, times);
    },
    confirmSubscription(topicArn, endpoint) {
      const topic = findTopicIn(state, topicArn);
      const sub = topic.subscriptions.find((s) => s.endpoint === endpoint);
      if (!sub) throw new Error(`sandbox: no subscription of ${endpoint} on ${topicArn}`);
      sub.confirmed = true;
    },
    close() {
      stopping.abort();
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
