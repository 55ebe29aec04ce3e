/**
 * The AWS sandbox: one loopback HTTP server that the unmodified AWS SDK v3 clients (CloudTrail,
 * CloudWatch Logs, CloudWatch, SNS, STS) reach through their `endpoint` option or AWS_ENDPOINT_URL.
 * State comes from a scenario; every call is recorded; faults (latency, throttling, 5xx, one-off errors)
 * can be injected with a seeded RNG so runs repeat. This module owns the server's life cycle and the
 * public API; routing and protocols live in ./dispatch and ./protocols, operations in ./services.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildState } from './build-state';
import { dispatch, type Fault, type Routed, route } from './dispatch';
import { parseScenario, type Scenario } from './scenario';
import type { ServiceName } from './service';
import { findTopicIn } from './services/sns';
import type { SandboxState } from './state';

export { testPattern, validatePattern } from './pattern-check';
export type { ResolvedScenario, Scenario } from './scenario';
export { loadScenario, parseScenario } from './scenario';
export type { SandboxState } from './state';

export interface SandboxOptions {
  scenario: Scenario;
  port?: number;
  latencyMs?: number;
  /** Share of calls (0..1) answered with the service's throttling error. */
  throttleRate?: number;
  /** Share of calls (0..1) answered with 503 ServiceUnavailable. */
  errorRate?: number;
  /** Seed of the RNG behind throttling/5xx injection and generated ids (default 1). */
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

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Every call, in order of arrival (retries are separate calls). */
  calls: CallRecord[];
  resetCalls(): void;
  /** Base credentials of an account (its IAM user). */
  credentialsFor(accountId: string): { accessKeyId: string; secretAccessKey: string };
  setFaults(f: { latencyMs?: number; throttleRate?: number; errorRate?: number }): void;
  /**
   * The next `times` (default 1) calls of `operation` answer `errorCode` in the protocol's shape.
   * `operation` is `PutMetricAlarm` or qualified (`cloudwatch:PutMetricAlarm`, `monitoring:PutMetricAlarm`).
   */
  failNext(operation: string, errorCode: string, times?: number): void;
  /** Live mutable state (tests inspect and change it). */
  state: SandboxState;
  /** Confirms the subscription of `endpoint` on the topic, as if its owner clicked the link. */
  confirmSubscription(topicArn: string, endpoint: string): void;
  close(): Promise<void>;
}

/** mulberry32: a small seeded PRNG so fault injection repeats run to run. */
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

interface Injection {
  service?: string;
  operation: string;
  errorCode: string;
  remaining: number;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const state = buildState(parseScenario(options.scenario));
  const faults = {
    latencyMs: options.latencyMs ?? 0,
    throttleRate: options.throttleRate ?? 0,
    errorRate: options.errorRate ?? 0,
  };
  const seed = options.seed ?? 1;
  const faultRng = rng(seed);
  const idRng = rng(seed ^ 0x9e3779b9);
  const injections: Injection[] = [];
  const calls: CallRecord[] = [];
  const log = options.log;

  const nextId = (): string => {
    let hex = '';
    for (let i = 0; i < 4; i++)
      hex += Math.floor(idRng() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };

  const fault = (service: ServiceName, iamPrefix: string, operation: string): Fault | undefined => {
    const hit = injections.find(
      (i) =>
        i.operation === operation &&
        (i.service === undefined || i.service === service || i.service === iamPrefix),
    );
    if (hit) {
      hit.remaining--;
      if (hit.remaining <= 0) injections.splice(injections.indexOf(hit), 1);
      return { kind: 'inject', errorCode: hit.errorCode };
    }
    if (faults.throttleRate <= 0 && faults.errorRate <= 0) return undefined;
    const r = faultRng();
    if (r < faults.throttleRate) return { kind: 'throttle' };
    if (r < faults.throttleRate + faults.errorRate) return { kind: 'unavailable' };
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startedAt = Date.now();
    if (req.method !== 'POST') {
      res.writeHead(req.method === 'GET' ? 200 : 405, { 'content-type': 'text/plain' });
      res.end('cis-bot AWS sandbox: POST AWS SDK requests here\n');
      return;
    }
    const body = await readBody(req);
    const routed = route(req.headers, body);
    if ('status' in routed) {
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      res.writeHead(routed.status, routed.headers);
      res.end(routed.body);
      log?.(JSON.stringify({ msg: 'sandbox: unroutable request', status: routed.status }));
      return;
    }
    const record: CallRecord = {
      service: routed.service.name,
      operation: (routed as Routed).operation,
      accountId: '',
      region: routed.region,
      status: 0,
      startedAt,
      endedAt: 0,
    };
    calls.push(record);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const outcome = dispatch(routed, { state, fault, nextId, requestId: randomUUID() });
    record.accountId = outcome.accountId;
    record.status = outcome.response.status;
    if (outcome.errorCode !== undefined) record.errorCode = outcome.errorCode;
    res.writeHead(outcome.response.status, outcome.response.headers);
    res.end(outcome.response.body);
    record.endedAt = Date.now();
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
    state,
    resetCalls() {
      calls.length = 0;
    },
    credentialsFor(accountId) {
      const account = state.accounts.get(accountId);
      if (!account) throw new Error(`sandbox: unknown account ${accountId}`);
      return { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
    },
    setFaults(f) {
      if (f.latencyMs !== undefined) faults.latencyMs = f.latencyMs;
      if (f.throttleRate !== undefined) faults.throttleRate = f.throttleRate;
      if (f.errorRate !== undefined) faults.errorRate = f.errorRate;
    },
    failNext(operation, errorCode, times = 1) {
      const cut = operation.indexOf(':');
      injections.push({
        ...(cut >= 0 ? { service: operation.slice(0, cut).toLowerCase() } : {}),
        operation: operation.slice(cut + 1),
        errorCode,
        remaining: times,
      });
    },
    confirmSubscription(topicArn, endpoint) {
      const topic = findTopicIn(state, topicArn);
      const sub = topic.subscriptions.find((s) => s.endpoint === endpoint);
      if (!sub) throw new Error(`sandbox: no subscription of ${endpoint} on ${topicArn}`);
      sub.confirmed = true;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
