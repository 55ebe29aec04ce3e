/**
 * A loopback "AWS" that disagrees with our engine, for the confirmation tests: it forwards every request
 * to the sandbox unchanged, except logs:TestMetricFilter, which it answers itself (same JSON 1.1 wire
 * shape as CloudWatch Logs) with the engine's matches FLIPPED for any message `disagreeOn` accepts. The
 * sandbox evaluates with our own engine, so it always agrees; this stands in for a real AWS whose
 * evaluator differs from SEMANTICS.md somewhere, without touching the sandbox.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchesEvent, parsePattern } from '../../src/core/filter-pattern';

export interface DisagreeingAws {
  endpoint: string;
  /** TestMetricFilter calls answered by the proxy. */
  answered: number;
  close(): Promise<void>;
}

export async function startDisagreeingAws(
  sandboxEndpoint: string,
  /** Which messages to flip; `pattern` is the filter pattern of the TestMetricFilter call. */
  disagreeOn: (message: string, pattern: string) => boolean,
): Promise<DisagreeingAws> {
  const target = new URL(sandboxEndpoint);
  const state = { answered: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.headers['x-amz-target'] === 'Logs_20140328.TestMetricFilter') {
        state.answered++;
        const input = JSON.parse(body.toString('utf8')) as {
          filterPattern: string;
          logEventMessages: string[];
        };
        // An "AWS" that accepts patterns our parser rejects: they match nothing (before the flip).
        let pattern: ReturnType<typeof parsePattern> | null = null;
        try {
          pattern = parsePattern(input.filterPattern);
        } catch {
          pattern = null;
        }
        const matches = input.logEventMessages.flatMap((message, i) =>
          (pattern !== null && matchesEvent(pattern, message)) !== disagreeOn(message, input.filterPattern)
            ? [{ eventNumber: i + 1, eventMessage: message, extractedValues: {} }]
            : [],
        );
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'proxy' });
        res.end(JSON.stringify({ matches }));
        return;
      }
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get answered() {
      return state.answered;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
