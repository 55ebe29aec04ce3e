/**
 * A loopback fake of the Slack Web API (the methods cis-bot uses) and of `response_url` endpoints, for
 * tests. It records every call in order, keeps the messages it was asked to post and update, answers
 * `ts` values like Slack, and checks every message against Block Kit's limits with its own validator:
 * a message over the limits gets `{ok: false, error: 'invalid_blocks'}` exactly as Slack would refuse it.
 *
 * Point a WebClient at it with `slackApiUrl: fake.apiUrl`; make response URLs with `fake.responseUrl()`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_BOT_TOKEN = 'xoxb-0000000000-fake-bot-token';
export const FAKE_BOT_USER_ID = 'UCISBOT01';
export const FAKE_TEAM_ID = 'T0FAKE001';

export interface FakeSlackOptions {
  /** The only token accepted (Authorization: Bearer or `token` field); default FAKE_BOT_TOKEN. */
  botToken?: string;
  /** usergroups.users.list answers: group id (S…) -> user ids. */
  userGroups?: Record<string, readonly string[]>;
  /** Channels the bot is not a member of: chat.postMessage and chat.postEphemeral fail there. */
  notInChannel?: readonly string[];
  /** Called for every recorded call, in order (ordering tests put it in a shared event log). */
  onCall?: (call: RecordedCall) => void;
  /**
   * More Web API methods (apps.connections.open, oauth.v2.access…), answered before the bot token is
   * checked: each checks the credentials it expects (`token` is the Bearer token or the `token` field).
   */
  methods?: Record<string, MethodHandler>;
}

/** A workspace (or org-wide installation) whose bot token the fake accepts besides the default one. */
export interface FakeWorkspace {
  teamId: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
  /** usergroups.users.list in this workspace (instead of FakeSlackOptions.userGroups). */
  userGroups?: Record<string, readonly string[]>;
}

export type MethodHandler = (
  args: Record<string, unknown>,
  token: string | undefined,
  headers: IncomingMessage['headers'],
) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface RecordedCall {
  seq: number;
  /** The bot token the call was made with (Web API calls). */
  token?: string;
  /** Web API method (`chat.postMessage`) or `response_url` for a post to a response URL. */
  method: string;
  args: Record<string, unknown>;
  response: Record<string, unknown>;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** How many times chat.update replaced it. */
  updates: number;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
}

/** Independent Block Kit validator: returns what Slack would complain about (empty when valid). */
export function validateBlockKit(message: { text?: unknown; blocks?: unknown }): string[] {
  const errors: string[] = [];
  const { text, blocks } = message;
  if (blocks === undefined) {
    if (typeof text !== 'string' || text === '') errors.push('no_text');
    return errors;
  }
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  if (typeof text !== 'string' || text.trim() === '') errors.push('missing plain-text fallback `text`');
  if (blocks.length === 0) errors.push('no blocks');
  if (blocks.length > 50) errors.push(`${blocks.length} blocks (max 50)`);
  let total = typeof text === 'string' ? text.length : 0;
  const blockIds = new Set<string>();
  blocks.forEach((raw, i) => {
    const where = `blocks[${i}]`;
    const block = raw as Record<string, unknown>;
    const textOf = (value: unknown, field: string, max: number, types = ['plain_text', 'mrkdwn']) => {
      const t = value as { type?: unknown; text?: unknown } | undefined;
      if (!t || typeof t.text !== 'string' || !types.includes(String(t.type))) {
        errors.push(`${where}.${field}: must be a ${types.join('/')} text object`);
        return;
      }
      if (t.text.length === 0) errors.push(`${where}.${field}: empty text`);
      if (t.text.length > max) errors.push(`${where}.${field}: ${t.text.length} characters (max ${max})`);
      total += t.text.length;
    };
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) errors.push(`${where}.block_id longer than 255`);
      if (blockIds.has(block.block_id)) errors.push(`${where}.block_id is not unique`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'header':
        textOf(block.text, 'text', 150, ['plain_text']);
        break;
      case 'divider':
        break;
      case 'section': {
        if (block.text === undefined && block.fields === undefined) errors.push(`${where}: text or fields`);
        if (block.text !== undefined) textOf(block.text, 'text', 3000);
        if (block.fields !== undefined) {
          const fields = block.fields as unknown[];
          if (!Array.isArray(fields) || fields.length === 0) errors.push(`${where}.fields: empty`);
          else if (fields.length > 10) errors.push(`${where}.fields: ${fields.length} fields (max 10)`);
          if (Array.isArray(fields))
            fields.forEach((f, j) => {
              textOf(f, `fields[${j}]`, 2000);
            });
        }
        break;
      }
      case 'context': {
        const elements = block.elements as unknown[];
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) {
          errors.push(`${where}.elements: 1 to 10 elements`);
        } else
          elements.forEach((e, j) => {
            textOf(e, `elements[${j}]`, 3000);
          });
        break;
      }
      case 'actions': {
        const elements = block.elements as Array<Record<string, unknown>>;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) {
          errors.push(`${where}.elements: 1 to 25 elements`);
          break;
        }
        const actionIds = new Set<string>();
        elements.forEach((e, j) => {
          const at = `${where}.elements[${j}]`;
          if (e.type !== 'button') errors.push(`${at}: only buttons are expected`);
          textOf(e.text, `elements[${j}].text`, 75, ['plain_text']);
          const actionId = e.action_id;
          if (typeof actionId !== 'string' || actionId.length === 0 || actionId.length > 255) {
            errors.push(`${at}.action_id: 1 to 255 characters`);
          } else if (actionIds.has(actionId)) {
            errors.push(`${at}.action_id "${actionId}" is not unique in its block`);
          } else actionIds.add(actionId);
          if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > 2000)) {
            errors.push(`${at}.value: at most 2000 characters`);
          }
          if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') {
            errors.push(`${at}.style: primary or danger`);
          }
          if (e.confirm !== undefined) {
            const c = e.confirm as Record<string, unknown>;
            textOf(c.title, `elements[${j}].confirm.title`, 100, ['plain_text']);
            textOf(c.text, `elements[${j}].confirm.text`, 300);
            textOf(c.confirm, `elements[${j}].confirm.confirm`, 30, ['plain_text']);
            textOf(c.deny, `elements[${j}].confirm.deny`, 30, ['plain_text']);
          }
        });
        break;
      }
      default:
        errors.push(`${where}: unexpected block type ${String(block.type)}`);
    }
  });
  // Slack refuses messages of ~13k characters of blocks below the documented limits.
  if (total > 12_000) errors.push(`${total} characters in one message (Slack refuses ~13k)`);
  return errors;
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/json'))
    return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // The WebClient sends objects and arrays as JSON strings inside the form.
    if ((key === 'blocks' || key === 'attachments') && value.startsWith('[')) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // leave it as a string: validation reports it
      }
    }
    args[key] = value;
  }
  return args;
}

export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly ephemerals: FakeEphemeral[] = [];
  private readonly server: Server;
  private readonly options: FakeSlackOptions;
  private seq = 0;
  private tsCounter = 0;
  private responseCounter = 0;
  private readonly failures: Array<{ method: string; error?: string; retryAfter?: number }> = [];
  /** Bot tokens of other workspaces (OAuth installs), accepted like the default one. */
  readonly workspaces = new Map<string, FakeWorkspace>();

  private constructor(server: Server, options: FakeSlackOptions) {
    this.server = server;
    this.options = options;
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlackApi> {
    let fake: FakeSlackApi | undefined;
    const server = createServer((req, res) => {
      void fake?.handle(req, res);
    });
    fake = new FakeSlackApi(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** The value for WebClient's `slackApiUrl` (ends with a slash, as the WebClient expects). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** A fresh response URL, as Slack puts in each command and interaction payload. */
  responseUrl(): string {
    this.responseCounter += 1;
    return `${this.baseUrl}/commands/${FAKE_TEAM_ID}/${this.responseCounter}/fake-response-secret`;
  }

  /** The next call of `method` fails: with `{ok: false, error}`, or with HTTP 429 and Retry-After. */
  failNext(method: string, failure: { error: string } | { retryAfter: number }): void {
    this.failures.push({ method, ...failure });
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.get(`${channel}:${ts}`);
  }

  /** Replies in the thread of a message, oldest first. */
  thread(channel: string, ts: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && m.threadTs === ts);
  }

  /** Top-level messages of a channel, oldest first. */
  channelMessages(channel: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && m.threadTs === undefined);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Accept `token` as the bot token of `workspace` from now on (an installation issued it). */
  addWorkspace(token: string, workspace: FakeWorkspace): void {
    this.workspaces.set(token, workspace);
  }

  private record(
    method: string,
    args: Record<string, unknown>,
    response: Record<string, unknown>,
    token?: string,
  ) {
    this.seq += 1;
    const call: RecordedCall = { seq: this.seq, method, args, response, ...(token ? { token } : {}) };
    this.calls.push(call);
    this.options.onCall?.(call);
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${1_700_000_000 + this.tsCounter}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '';
    let args: Record<string, unknown>;
    try {
      args = parseBody(raw, req.headers['content-type']);
    } catch {
      res.writeHead(400).end('invalid_payload');
      return;
    }
    if (url.startsWith('/commands/')) {
      const errors = validateBlockKit(args);
      const response = errors.length ? { ok: false, error: 'invalid_blocks', errors } : { ok: true };
      this.record('response_url', { ...args, url }, response);
      res.writeHead(errors.length ? 400 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(response));
      return;
    }
    const method = url.startsWith('/api/') ? (url.slice('/api/'.length).split('?')[0] ?? '') : '';
    const failureAt = this.failures.findIndex((f) => f.method === method);
    if (failureAt !== -1) {
      const [failure] = this.failures.splice(failureAt, 1);
      if (failure?.retryAfter !== undefined) {
        this.record(method, args, { ok: false, error: 'ratelimited', status: 429 });
        res.writeHead(429, { 'retry-after': String(failure.retryAfter), 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      return this.reply(res, method, args, { ok: false, error: failure?.error ?? 'fatal_error' });
    }
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? args.token;
    const extra = this.options.methods?.[method];
    if (extra !== undefined) {
      return this.reply(
        res,
        method,
        args,
        await extra(args, typeof token === 'string' ? token : undefined, req.headers),
      );
    }
    const workspace = typeof token === 'string' ? this.workspaces.get(token) : undefined;
    if (token !== (this.options.botToken ?? FAKE_BOT_TOKEN) && workspace === undefined) {
      return this.reply(res, method, args, { ok: false, error: 'invalid_auth' });
    }
    this.reply(res, method, args, this.answer(method, args, workspace), token as string);
  }

  private reply(
    res: ServerResponse,
    method: string,
    args: Record<string, unknown>,
    response: Record<string, unknown>,
    token?: string,
  ): void {
    const recorded = { ...args };
    delete recorded.token;
    this.record(method, recorded, response, token);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response));
  }

  private answer(
    method: string,
    args: Record<string, unknown>,
    workspace?: FakeWorkspace,
  ): Record<string, unknown> {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    const notMember = (this.options.notInChannel ?? []).includes(channel);
    switch (method) {
      case 'auth.test':
        if (workspace) {
          return {
            ok: true,
            url: `https://${workspace.teamId.toLowerCase()}.slack.com/`,
            team_id: workspace.teamId,
            ...(workspace.enterpriseId ? { enterprise_id: workspace.enterpriseId } : {}),
            user_id: FAKE_BOT_USER_ID,
            bot_id: `B${workspace.teamId}`,
            is_enterprise_install: workspace.isEnterpriseInstall === true,
          };
        }
        return {
          ok: true,
          url: 'https://fake-workspace.slack.com/',
          team: 'Fake Workspace',
          user: 'cis-bot',
          team_id: FAKE_TEAM_ID,
          user_id: FAKE_BOT_USER_ID,
          bot_id: 'BCISBOT01',
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (notMember) return { ok: false, error: 'not_in_channel' };
        const errors = validateBlockKit(args);
        if (errors.length) return { ok: false, error: 'invalid_blocks', errors };
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
        if (threadTs !== undefined && !this.messages.has(`${channel}:${threadTs}`)) {
          return { ok: false, error: 'thread_not_found' };
        }
        const ts = this.nextTs();
        const message: FakeMessage = {
          channel,
          ts,
          text: String(args.text ?? ''),
          blocks: (args.blocks as unknown[]) ?? [],
          updates: 0,
          ...(threadTs !== undefined ? { threadTs } : {}),
        };
        this.messages.set(`${channel}:${ts}`, message);
        return {
          ok: true,
          channel,
          ts,
          message: {
            type: 'message',
            user: FAKE_BOT_USER_ID,
            text: message.text,
            blocks: message.blocks,
            ts,
          },
        };
      }
      case 'chat.update': {
        const ts = String(args.ts ?? '');
        const message = this.messages.get(`${channel}:${ts}`);
        if (!message) return { ok: false, error: 'message_not_found' };
        const errors = validateBlockKit(args);
        if (errors.length) return { ok: false, error: 'invalid_blocks', errors };
        message.text = String(args.text ?? '');
        message.blocks = (args.blocks as unknown[]) ?? [];
        message.updates += 1;
        return {
          ok: true,
          channel,
          ts,
          text: message.text,
          message: { text: message.text, blocks: message.blocks },
        };
      }
      case 'chat.postEphemeral': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (notMember) return { ok: false, error: 'not_in_channel' };
        if (typeof args.user !== 'string' || args.user === '')
          return { ok: false, error: 'user_not_in_channel' };
        const errors = validateBlockKit(args);
        if (errors.length) return { ok: false, error: 'invalid_blocks', errors };
        this.ephemerals.push({
          channel,
          user: args.user,
          text: String(args.text ?? ''),
          blocks: (args.blocks as unknown[]) ?? [],
        });
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'usergroups.users.list': {
        const group = String(args.usergroup ?? '');
        const users = (workspace ? workspace.userGroups : this.options.userGroups)?.[group];
        if (users === undefined) return { ok: false, error: 'no_such_subteam' };
        return { ok: true, users: [...users] };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
