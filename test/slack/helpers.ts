/**
 * Test helpers for the Slack adapter: Slack's documented request bodies (slash command form fields,
 * block_actions `payload=` JSON), signed the way Slack signs them (v0 HMAC-SHA256 over
 * `v0:{timestamp}:{body}`), a ChatCore that only records calls (transport tests: it proves refused
 * requests never reach the core), and a logger whose lines the test can read.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { Card } from '../../src/core/cards';
import type { Command } from '../../src/core/commands';
import type { NotificationLevel } from '../../src/core/levels';
import type {
  AdapterRefusal,
  ButtonClick,
  ChatCore,
  ClickResult,
  CommandContext,
  ConversationRef,
  ProgressSink,
} from '../../src/core/ports/chat';
import type { Logger } from '../../src/core/ports/logger';
import { createLogger } from '../../src/logger';
import { FAKE_BOT_TOKEN, FAKE_TEAM_ID } from '../support/fake-slack-api';

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const APP_ID = 'A0CISBOT01';

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface SignedRequest {
  body: string;
  timestamp?: number;
  secret?: string;
  /** Overrides the computed signature (forgery tests). */
  signature?: string;
  /** Default: a form (commands, clicks); Events API requests are application/json. */
  contentType?: string;
}

/** POSTs a form-encoded body to the Slack endpoint with Slack's signature headers. */
export async function postSigned(
  url: string,
  request: SignedRequest,
): Promise<{ status: number; text: string }> {
  const timestamp = request.timestamp ?? nowSeconds();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': request.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': request.signature ?? sign(request.body, timestamp, request.secret),
    },
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
}

export interface SlashCommandFields {
  text: string;
  response_url: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  /** The workspace the command came from; default the fake's (FAKE_TEAM_ID). */
  team_id?: string;
  /** Default: a fresh one. */
  trigger_id?: string;
  /** Enterprise Grid: the organisation, and whether the app is installed org-wide. */
  enterprise_id?: string;
  is_enterprise_install?: boolean;
}

/** A trigger id as Slack makes one: different for every command and interaction. */
export function triggerId(): string {
  return `${Date.now()}.${randomInt(1e9)}.${randomBytes(16).toString('hex')}`;
}

/** The fields Slack sends for a slash command (as documented): the HTTP form, or a Socket Mode payload. */
export function slashCommandPayload(fields: SlashCommandFields): Record<string, string> {
  return {
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: fields.team_id ?? FAKE_TEAM_ID,
    team_domain: 'example',
    channel_id: fields.channel_id ?? 'C0SECOPS01',
    channel_name: fields.channel_name ?? 'sec-ops',
    user_id: fields.user_id ?? 'U0ALICE001',
    user_name: fields.user_name ?? 'alice',
    command: '/cis',
    text: fields.text,
    api_app_id: APP_ID,
    ...(fields.enterprise_id ? { enterprise_id: fields.enterprise_id, enterprise_name: 'Grid' } : {}),
    is_enterprise_install: String(fields.is_enterprise_install === true),
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? triggerId(),
  };
}

/** The form body Slack sends for a slash command. */
export function slashCommandBody(fields: SlashCommandFields): string {
  return new URLSearchParams(slashCommandPayload(fields)).toString();
}

export interface BlockActionFields {
  actionId: string;
  value: string;
  response_url: string;
  messageTs: string;
  channelId?: string;
  userId?: string;
  userName?: string;
  message?: { text: string; blocks: unknown[]; thread_ts?: string };
  /** `team.id`: the workspace the click came from; default FAKE_TEAM_ID. */
  teamId?: string;
  /** Enterprise Grid: the organisation, and whether the app is installed org-wide. */
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
  /** `user.team_id`: the clicker's home workspace (another one for a Slack Connect guest). */
  userTeamId?: string;
}

/** The block_actions document Slack sends for a button click (HTTP: as `payload=`; Socket Mode: as is). */
export function blockActionsPayload(fields: BlockActionFields): Record<string, unknown> {
  const channelId = fields.channelId ?? 'C0SECOPS01';
  const userId = fields.userId ?? 'U0BOB00001';
  const userName = fields.userName ?? 'bob';
  return {
    type: 'block_actions',
    user: { id: userId, username: userName, name: userName, team_id: fields.userTeamId ?? FAKE_TEAM_ID },
    api_app_id: APP_ID,
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    container: { type: 'message', message_ts: fields.messageTs, channel_id: channelId, is_ephemeral: false },
    trigger_id: triggerId(),
    team: {
      id: fields.teamId ?? FAKE_TEAM_ID,
      domain: 'example',
      ...(fields.enterpriseId ? { enterprise_id: fields.enterpriseId } : {}),
    },
    enterprise: fields.enterpriseId ? { id: fields.enterpriseId, name: 'Grid' } : null,
    is_enterprise_install: fields.isEnterpriseInstall === true,
    channel: { id: channelId, name: 'sec-ops' },
    message: {
      type: 'message',
      user: 'UCISBOT01',
      ts: fields.messageTs,
      bot_id: 'BCISBOT01',
      text: fields.message?.text ?? '',
      blocks: fields.message?.blocks ?? [],
      ...(fields.message?.thread_ts ? { thread_ts: fields.message.thread_ts } : {}),
    },
    state: { values: {} },
    response_url: fields.response_url,
    actions: [
      {
        action_id: fields.actionId,
        block_id: 'Zq3Ab',
        text: { type: 'plain_text', text: 'Approve', emoji: true },
        value: fields.value,
        style: 'primary',
        type: 'button',
        action_ts: `${nowSeconds()}.123456`,
      },
    ],
  };
}

/** The form body Slack sends for a button click: `payload=` a block_actions JSON document. */
export function blockActionsBody(fields: BlockActionFields): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(fields)) }).toString();
}

export function slackConfig(apiUrl: string, document: Record<string, unknown> = {}): Config {
  return loadConfig({
    document,
    env: {
      SLACK_BOT_TOKEN: FAKE_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: apiUrl,
      PORT: '0',
      LOG_LEVEL: 'debug',
    },
  });
}

/** The bot's logger (pino, the real line format) keeping its JSON lines for assertions. */
export function recordingLogger(): { logger: Logger; lines: string[]; events: () => string[] } {
  const lines: string[] = [];
  const logger = createLogger('slack', { level: 'debug', write: (line) => lines.push(line) });
  const events = () =>
    lines.map((l) => (JSON.parse(l) as { event?: string }).event).filter((e): e is string => e !== undefined);
  return { logger, lines, events };
}

/** A ChatCore that records calls and answers with what the test scripts. */
export class RecordingCore implements ChatCore {
  readonly runs: Array<{ command: Command; ctx: CommandContext }> = [];
  readonly clicks: Array<{ click: ButtonClick; ctx: CommandContext }> = [];
  onRun: (command: Command, ctx: CommandContext) => Promise<Card[]> = async () => [
    { summary: 'done', elements: [{ type: 'text', text: 'done' }] },
  ];
  onClick: (click: ButtonClick, ctx: CommandContext, progress: ProgressSink) => Promise<ClickResult> =
    async () => ({
      kind: 'refused',
      message: 'no',
    });

  run(command: Command, ctx: CommandContext): Promise<Card[]> {
    this.runs.push({ command, ctx });
    return this.onRun(command, ctx);
  }

  click(click: ButtonClick, ctx: CommandContext, progress: ProgressSink): Promise<ClickResult> {
    this.clicks.push({ click, ctx });
    return this.onClick(click, ctx, progress);
  }

  /** Records the click before the ack; the scripted answer comes after it, as the real core's rest does. */
  async decideClick(
    click: ButtonClick,
    ctx: CommandContext,
    progress: ProgressSink,
  ): Promise<() => Promise<ClickResult>> {
    this.clicks.push({ click, ctx });
    return () => this.onClick(click, ctx, progress);
  }

  levelFor(_conversation: ConversationRef): NotificationLevel {
    return 'info';
  }

  readonly refusals: AdapterRefusal[] = [];
  async recordRefusal(refusal: AdapterRefusal): Promise<void> {
    this.refusals.push(refusal);
  }
}
