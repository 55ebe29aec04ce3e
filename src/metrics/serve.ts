/**
 * The `/metrics` listener: its own port (`metrics.port`), never the bot's public one, so a Prometheus
 * scrape is only reachable where the operator exposes that port. GET or HEAD /metrics answers the
 * registry in Prometheus's text format; anything else gets a short JSON answer, never a stack trace.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../core/ports/logger';
import type { PrometheusMetrics } from './prometheus';

export const METRICS_PATH = '/metrics';

export interface MetricsServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function handle(metrics: PrometheusMetrics, req: IncomingMessage, res: ServerResponse, log: Logger) {
  const path = new URL(req.url ?? '/', 'http://metrics').pathname;
  if (path !== METRICS_PATH) {
    answer(res, 404, { error: `Not found: the metrics are at ${METRICS_PATH}.` });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    answer(res, 405, { error: `${METRICS_PATH} answers GET and HEAD only.` }, { allow: 'GET, HEAD' });
    return;
  }
  try {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : text);
  } catch (error) {
    log.error('could not collect the metrics', {
      error: error instanceof Error ? error.message : String(error),
    });
    answer(res, 500, { error: 'The metrics could not be collected; see the bot log.' });
  }
}

/** Listens on `host`:`port` (0 picks a free one) and serves `metrics` at /metrics. */
export function serveMetrics(
  metrics: PrometheusMetrics,
  options: { port: number; host: string; log: Logger },
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    void handle(metrics, req, res, options.log);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : options.port;
      resolve({
        server,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
