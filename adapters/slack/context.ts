/**
 * What the command and click handlers share: the core, config, logger, the approver-group lookup, the
 * tracker of work that continues after Slack has been acknowledged, and the checks both apply before the
 * core sees a request (our workspace only, allowed channels only).
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../../src/config/schema';
import type { Actor, AdapterRefusal, ChatCore, CommandContext, Platform } from '../../src/core/ports/chat';
import type { GroupResolver } from './user-groups';
import type { WorkQueue } from './work-queue';
import { isFromWorkspace, type RequestOrigin, type Workspace } from './workspace';

export interface HandlerDeps {
  config: Config;
  core: ChatCore;
  logger: Logger;
  groupsOf: GroupResolver;
  /** Registers work that continues after the ack, so `idle()` and `stop()` can wait for it. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Where slash commands wait after their ack (adapters/slack/work-queue.ts). */
  queue: WorkQueue;
  /**
   * The workspace requests must come from: the one `auth.test` named at init() (one bot token; undefined
   * before, and every request is then refused), or the installation the request came through (OAuth).
   */
  workspace(): Workspace | undefined;
  /** The platform id requests are served as: `slack`, or `slack:<T…|E…>` per OAuth installation. */
  platform: Platform;
  /** The channels served (empty: every channel), and the setting that lists them. */
  allowedChannels: readonly string[];
  allowedChannelsSetting: string;
  /**
   * OAuth: the dependencies of one request, from the installation Bolt's `authorize` found for it
   * (workspace, platform id, its channels and approver groups, read with its token). Absent: one token.
   */
  forRequest?: ((context: Readonly<Record<string, unknown>>, client: WebClient) => HandlerDeps) | undefined;
  /** An audit running longer than this shows its progress (default PROGRESS_AFTER_MS). */
  progressAfterMs?: number;
}

/** The dependencies that apply to one request (see HandlerDeps.forRequest). */
export function depsFor(
  deps: HandlerDeps,
  context: Readonly<Record<string, unknown>>,
  client: WebClient,
): HandlerDeps {
  return deps.forRequest ? deps.forRequest(context, client) : deps;
}

export const OTHER_WORKSPACE_REFUSAL =
  'cis-bot takes commands and button clicks only from members of the workspace it is installed in.';

export function fromOurWorkspace(deps: HandlerDeps, origin: RequestOrigin): boolean {
  return isFromWorkspace(deps.workspace(), origin);
}

/** `slack.allowed_channels` (or the workspace's), for commands and clicks alike; empty allows every channel. */
export function channelAllowed(deps: HandlerDeps, channel: string): boolean {
  const list = deps.allowedChannels;
  return list.length === 0 || list.includes(channel);
}

export function channelRefusal(deps: HandlerDeps, what: 'commands' | 'button clicks'): string {
  const where = deps.allowedChannels.map((id) => `<#${id}>`).join(', ');
  return `cis-bot does not take ${what} in this channel. Use it in ${where}, or ask an admin to add this channel to ${deps.allowedChannelsSetting}.`;
}

/**
 * Puts a refusal of this adapter on the audit log (through the core). Recording it must not change the
 * answer: a failure is logged and the request is refused all the same.
 */
export async function recordRefusal(deps: HandlerDeps, refusal: AdapterRefusal): Promise<void> {
  // Named on the request's platform (its workspace, with OAuth).
  const { actor, conversation } = refusal;
  const placed: AdapterRefusal = {
    ...refusal,
    ...(actor ? { actor: { ...actor, platform: deps.platform } } : {}),
    ...(conversation ? { conversation: { ...conversation, platform: deps.platform } } : {}),
  };
  try {
    await deps.core.recordRefusal(placed);
  } catch (error) {
    deps.logger.error({ event: 'slack.refusal.not_recorded', reason: refusal.reason, error });
  }
}

/** The Slack user and channel of a refused request, as the audit log names them. */
export function slackRefusal(
  reason: string,
  userId: string,
  channel: string | undefined,
  request: string,
  detail: Record<string, unknown> = {},
): AdapterRefusal {
  return {
    actor: { platform: 'slack', userId },
    ...(channel !== undefined ? { conversation: { platform: 'slack', id: channel } } : {}),
    reason,
    request,
    detail,
  };
}

/** Slack sends absent ids as missing fields, empty strings or null: all mean "not given". */
export function idOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function commandContext(
  deps: HandlerDeps,
  user: { id: string; name?: string | undefined },
  channel: string,
): Promise<CommandContext> {
  const actor: Actor = {
    platform: deps.platform,
    userId: user.id,
    groups: await deps.groupsOf(user.id),
    ...(user.name ? { displayName: user.name } : {}),
  };
  return { actor, conversation: { platform: deps.platform, id: channel } };
}
