/**
 * Chat, measured: the core's work on each command and click (`chatRequest`), and each Slack or Teams
 * request's ack, from its arrival to the last byte of the answer (`chatAck`). Decorators at the edge of
 * the adapters (the ChatCore they are given, an Express middleware ahead of their routes), so neither
 * adapter changes for metrics.
 */
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ChatCore } from '../core/ports/chat';
import type { Metrics } from '../core/ports/metrics';

/** `core` with `run` and the clicks timed into `metrics`; everything else passes through. */
export function measuredChatCore(core: ChatCore, metrics: Metrics): ChatCore {
  const timed = async <T>(
    platform: string,
    request: string,
    work: () => Promise<T>,
    started = performance.now(),
  ): Promise<T> => {
    const record = (ok: boolean) =>
      metrics.chatRequest({ platform, request, ok, durationMs: performance.now() - started });
    try {
      const out = await work();
      record(true);
      return out;
    } catch (error) {
      record(false);
      throw error;
    }
  };
  const run: ChatCore['run'] = (command, ctx, progress) =>
    timed(ctx.conversation.platform, command.verb, () => core.run(command, ctx, progress));
  const click: ChatCore['click'] = (button, ctx, progress) =>
    timed(ctx.conversation.platform, 'click', () => core.click(button, ctx, progress));
  // Slack's two-step click: timed from the decision to the end of the rest, as one click.
  const decideClick: ChatCore['decideClick'] = async (button, ctx, progress) => {
    const started = performance.now();
    const rest = await core.decideClick(button, ctx, progress);
    return () => timed(ctx.conversation.platform, 'click', rest, started);
  };
  return new Proxy(core, {
    get(target, prop) {
      if (prop === 'run') return run;
      if (prop === 'click') return click;
      if (prop === 'decideClick') return decideClick;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * An Express middleware, mounted before the chat routes, that records each request to one of `routes`
 * (path -> platform) once its answer has been sent.
 */
export function chatAckTimer(metrics: Metrics, routes: Readonly<Record<string, string>>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const platform = routes[req.path];
    if (platform !== undefined) {
      const started = performance.now();
      res.once('finish', () =>
        metrics.chatAck({ platform, status: res.statusCode, durationMs: performance.now() - started }),
      );
    }
    next();
  };
}
