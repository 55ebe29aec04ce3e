/**
 * The SDK middleware that counts and times every AWS call of a client into the metrics port: service
 * and operation from the SDK's own handler context (`CloudTrailClient` + `DescribeTrailsCommand` ->
 * `CloudTrail`, `DescribeTrails`), the error code when it fails. Added at the initialize step, so one
 * call is one count whatever the SDK retried underneath, and its duration includes those retries.
 */
import { performance } from 'node:perf_hooks';
import type { Metrics } from '../core/ports/metrics';
import { errorCode } from './errors';

export const CALL_METRICS = 'cisBotCallMetrics';

interface HandlerContext {
  clientName?: string;
  commandName?: string;
}

/** An SDK v3 client's middleware stack, as far as adding an initialize middleware goes. */
interface InitializeStack {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: HandlerContext,
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string; priority: 'high' },
  ): void;
}

/** A label value from text AWS or the network chose: plain identifiers only, anything else `other`. */
function safeLabel(text: string | undefined, fallback: string): string {
  if (text === undefined) return fallback;
  return /^[A-Za-z0-9._:-]{1,64}$/.test(text) ? text : 'other';
}

/** Adds the call metrics to an SDK v3 client (signed for `accountId`, when known) and returns it. */
export function measureCalls<C extends { middlewareStack: object }>(
  client: C,
  metrics: Metrics,
  accountId?: string,
): C {
  // Every SDK v3 client's stack takes this (its generic signature does not narrow to one shape here).
  (client.middlewareStack as InitializeStack).add(
    (next, context) => async (args) => {
      const service = safeLabel(context.clientName?.replace(/Client$/, ''), 'unknown');
      const operation = safeLabel(context.commandName?.replace(/Command$/, ''), 'unknown');
      const started = performance.now();
      const record = (error?: string) =>
        metrics.awsCall({
          service,
          operation,
          ...(accountId !== undefined ? { accountId } : {}),
          ...(error !== undefined ? { error } : {}),
          durationMs: performance.now() - started,
        });
      try {
        const out = await next(args);
        record();
        return out;
      } catch (error) {
        record(safeLabel(errorCode(error), 'unknown'));
        throw error;
      }
    },
    // High priority: outside the credentials guard, so its one retry with a new session counts once.
    { step: 'initialize', name: CALL_METRICS, priority: 'high' },
  );
  return client;
}
