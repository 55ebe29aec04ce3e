/**
 * What the command and click handlers share: the core, config, logger, the approver-group lookup, the
 * tracker of work that continues after Slack has been acknowledged, and the checks both apply before the
 * core sees a request (our workspace only, allowed channels only).
 */
import type { Logger } from '@slack/bolt';
import type { Config } from '../../src/config/schema';
import type { Actor, AdapterRefusal, ChatCore, CommandContext } from '../../src/core/ports/chat';
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
  /** The workspace `auth.test` named at init(); undefined before (every request is then refused). */
  workspace(): Workspace | undefined;
  /** An audit running longer than this shows its progress (default PROGRESS_AFTER_MS). */
  progressAfterMs?: number;
}

export const OTHER_WORKSPACE_REFUSAL =
  'cis-bot takes commands and button clicks only from members of the workspace it is installed in.';

export function fromOurWorkspace(deps: HandlerDeps, origin: RequestOrigin): boolean {
  return isFromWorkspace(deps.workspace(), origin);
}

/** `slack.allowed_channels`, for commands and clicks alike; empty allows every channel. */
export function channelAllowed(deps: HandlerDeps, channel: string): boolean {
  const list = deps.config.slack.allowed_channels;
  return list.length === 0 || list.includes(channel);
}

export function channelRefusal(deps: HandlerDeps, what: 'commands' | 'button clicks'): string {
  const where = deps.config.slack.allowed_channels.map((id) => `<#${id}>`).join(', ');
  return `cis-bot does not take ${what} in this channel. Use it in ${where}, or ask an admin to add this channel to slack.allowed_channels.`;
}

/**
 * Puts a refusal of this adapter on the audit log (through the core). Recording it must not change the
 * answer: a failure is logged and the request is refused all the same.
 */
export async function recordRefusal(deps: HandlerDeps, refusal: AdapterRefusal): Promise<void> {
  try {
    await deps.core.recordRefusal(refusal);
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
    platform: 'slack',
    userId: user.id,
    groups: await deps.groupsOf(user.id),
    ...(user.name ? { displayName: user.name } : {}),
  };
  return { actor, conversation: { platform: 'slack', id: channel } };
}
