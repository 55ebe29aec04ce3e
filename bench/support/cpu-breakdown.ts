/**
 * Where this process's main thread spends its CPU during one piece of work: V8's sampling profiler
 * (node:inspector, in-process) over `work`, each sample's time put in one bucket:
 *  - `awsSdk`: the AWS SDK v3 (node_modules/@smithy/*, @aws-sdk/*, @aws-crypto/*, and the XML parser
 *    it uses): middleware, serialisation, endpoint rules, signing, parsing;
 *  - `node`: Node.js's own JavaScript (node:http, net, streams, events, crypto, timers) with the native
 *    work it calls (socket writes, hashing), and the native frames no JavaScript called (the microtask
 *    pump);
 *  - `gc`: V8's garbage collector on this thread;
 *  - `cisBot`: the project's own code (src/);
 *  - `idle`: the thread waiting for I/O;
 *  - `other`: everything else (the benchmark itself, V8's own bookkeeping).
 * A native frame (a socket write, a hash, JSON.parse) counts for the JavaScript that called it.
 * Why: the ratio of a 1,000-account audit at a high concurrency is bounded by this thread's CPU; the
 * breakdown says how much of it the project could still cut, and how much the SDK and Node need anyway.
 */
import { Session } from 'node:inspector/promises';

export interface CpuBreakdown {
  /** Milliseconds of this thread per bucket (the sampled total is their sum). */
  awsSdk: number;
  node: number;
  gc: number;
  cisBot: number;
  idle: number;
  other: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SDK = /node_modules\/(@smithy|@aws-sdk|@aws-crypto|fast-xml-parser|strnum)\//;

function bucketOfUrl(url: string): keyof CpuBreakdown | undefined {
  if (url === '') return undefined;
  if (SDK.test(url)) return 'awsSdk';
  if (url.startsWith('node:')) return 'node';
  if (/\/src\//.test(url) && !url.includes('node_modules')) return 'cisBot';
  return 'other';
}

/** The profile's sampled time per bucket, in ms. */
export function breakdownOf(profile: Profile): CpuBreakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const bucketOf = (node: ProfileNode): keyof CpuBreakdown => {
    const { functionName } = node.callFrame;
    if (functionName === '(garbage collector)') return 'gc';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'other';
    for (let at: ProfileNode | undefined = node; at; at = parentOf.get(at.id)) {
      const bucket = bucketOfUrl(at.callFrame.url);
      if (bucket) return bucket;
    }
    return 'node';
  };
  const totals: CpuBreakdown = { awsSdk: 0, node: 0, gc: 0, cisBot: 0, idle: 0, other: 0 };
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (node) totals[bucketOf(node)] += (profile.timeDeltas[i] ?? 0) / 1000;
  });
  for (const key of Object.keys(totals) as (keyof CpuBreakdown)[]) totals[key] = Math.round(totals[key]);
  return totals;
}

/** Runs `work` under the sampling profiler and returns its result with the main thread's breakdown. */
export async function withCpuBreakdown<T>(work: () => Promise<T>): Promise<{ result: T; cpu: CpuBreakdown }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const outcome = await work().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    if (!outcome.ok) throw outcome.error;
    return { result: outcome.value, cpu: breakdownOf(profile) };
  } finally {
    session.disconnect();
  }
}
