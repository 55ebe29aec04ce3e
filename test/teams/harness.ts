/**
 * Test harness: the Teams adapter mounted on a real Express app (as the lead mounts it: express.json()
 * on /api/messages only), listening on 127.0.0.1:0, with a loopback fake Bot Connector as serviceUrl.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  type ConversationRefStore,
  createTeamsAdapter,
  type TeamsAdapter,
} from '../../adapters/teams/teams-adapter';
import { loadConfig } from '../../src/config/load';
import type { ChatCore } from '../../src/core/ports/chat';
import type { Logger } from '../../src/core/ports/logger';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector';

// botbuilder honours HTTP(S)_PROXY; loopback traffic must not go through one.
process.env.NO_PROXY = '127.0.0.1,localhost';

/** POSTs an activity to /api/messages as the Bot Connector would, and reads the (JSON or text) answer. */
export async function postActivity(
  url: string,
  activity: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (botbuilder's 401 body is the error message)
  }
  return { status: res.status, body };
}

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

export interface Harness {
  url: string;
  connector: FakeBotConnector;
  teams: TeamsAdapter;
  refs: Map<string, unknown>;
  logs: LogLine[];
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies
  post(activity: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export function captureLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function startHarness(opts: {
  core: ChatCore;
  document?: unknown;
  env?: Record<string, string>;
  connector?: FakeBotConnector;
  authSettings?: Record<string, string>;
  /** Defaults to an in-memory Map (kept in `refs`). */
  conversations?: ConversationRefStore;
}): Promise<Harness> {
  const connector = opts.connector ?? (await startFakeBotConnector());
  const config = loadConfig({
    document: opts.document ?? {},
    env: opts.env ?? { CIS_BOT_TEAMS_DEV_NO_AUTH: 'true' },
  });
  const refs = new Map<string, unknown>();
  const logs: LogLine[] = [];
  const teams = createTeamsAdapter({
    config,
    core: opts.core,
    conversations: opts.conversations ?? {
      save: (id, ref) => void refs.set(id, ref),
      get: (id) => refs.get(id),
    },
    logger: captureLogger(logs),
    ...(opts.authSettings ? { authSettings: opts.authSettings } : {}),
  });
  const app = express();
  app.post('/api/messages', express.json(), (req, res) => teams.handle(req, res));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    url,
    connector,
    teams,
    refs,
    logs,
    post: (activity, headers = {}) => postActivity(url, activity, headers),
    async close() {
      await teams.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!opts.connector) await connector.close();
    },
  };
}
