/**
 * The server's last-resort answers (src/http-errors.ts) on a real Express app over loopback: an error a
 * route throws becomes a JSON 500 with a reference id and nothing of the error itself, while the log line
 * under that reference has the detail (message and stack) for the operator; with NODE_ENV unset, where
 * Express's own handler would render the stack as HTML.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { installErrorAnswers } from '../../src/http-errors';
import { createLoggerFactory } from '../../src/logger';

let server: Server;
let base = '';
const lines: string[] = [];
const saved = process.env.NODE_ENV;

beforeAll(async () => {
  delete process.env.NODE_ENV;
  const app = express();
  app.get('/boom', () => {
    throw new Error('ENOENT: no such file, open /var/lib/cis-bot/secret.db');
  });
  app.post('/async-boom', async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'id')");
  });
  installErrorAnswers(
    app,
    { '/boom': ['GET'] },
    createLoggerFactory({ write: (l) => lines.push(l) })('server'),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  process.env.NODE_ENV = saved;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test.each([
  ['GET', '/boom', 'ENOENT'],
  ['POST', '/async-boom', 'Cannot read properties'],
])('%s %s: a JSON 500 with a reference; the detail is only in the log', async (method, path, detail) => {
  const res = await fetch(`${base}${path}`, { method });
  expect(res.status).toBe(500);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: string; ref: string };
  expect(body.ref).toMatch(/^[0-9a-f]{12}$/);
  expect(body.error).toBe(`Internal error (ref ${body.ref}): the details are in cis-bot's log.`);
  expect(JSON.stringify(body)).not.toMatch(/ENOENT|\/var\/lib|TypeError|Cannot read|\bat\s/);
  const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.ref === body.ref);
  expect(logged).toMatchObject({ level: 'error', msg: 'request failed', method, path });
  expect(String(logged?.error)).toContain(detail);
  expect(String(logged?.stack)).toContain('http-errors.test.ts');
});

test('a wrong method on a known path is a 405 naming the allowed methods', async () => {
  const res = await fetch(`${base}/boom`, { method: 'POST' });
  expect(res.status).toBe(405);
  expect(res.headers.get('allow')).toBe('GET');
  expect(await res.json()).toEqual({ error: 'Method not allowed: use GET.' });
});
