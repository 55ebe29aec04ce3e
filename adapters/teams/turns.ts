/**
 * Reading Teams activities: who acts, where, and which button was clicked. Pure helpers over the
 * documented activity shapes (message, `invoke` named `adaptiveCard/action`, and the `Action.Submit`
 * fallback, which arrives as a message whose `value` is the action's data and whose text is empty).
 */
import type { Actor, ButtonClick, ConversationRef } from '../../src/core/chat-core';
import { channelConversationId } from './conversations';

export interface ActivityLike {
  type?: string;
  name?: string;
  text?: string;
  value?: unknown;
  from?: { id?: string; name?: string; aadObjectId?: string };
  conversation?: { id?: string };
  channelData?: unknown;
}

export const INVOKE_ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';

/** The Entra object id is what `approvals.teams.users` lists; `from.id` only when Teams gave none. */
export function actorOf(activity: ActivityLike): Actor {
  const from = activity.from ?? {};
  return {
    platform: 'teams',
    userId: from.aadObjectId ?? from.id ?? 'unknown',
    ...(from.name ? { displayName: from.name } : {}),
  };
}

export function conversationOf(activity: ActivityLike): ConversationRef {
  return { platform: 'teams', id: channelConversationId(activity.conversation?.id ?? '') };
}

export function tenantOf(activity: ActivityLike): string | undefined {
  const data = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const id = data?.tenant?.id;
  return typeof id === 'string' ? id : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` of an `adaptiveCard/action` invoke: `{action: {type: 'Action.Execute', verb, data}, trigger}`. */
export function executeClick(value: unknown): ButtonClick | undefined {
  if (!isRecord(value) || !isRecord(value.action)) return undefined;
  const { verb, data } = value.action;
  if (typeof verb !== 'string' || !verb || !isRecord(data) || typeof data.value !== 'string')
    return undefined;
  return { actionId: verb, value: data.value };
}

/** `value` of an `Action.Submit` fallback message: the `{verb, value}` the renderer put in `data`. */
export function submitClick(activity: ActivityLike): ButtonClick | undefined {
  if (activity.text?.trim()) return undefined;
  const value = activity.value;
  if (!isRecord(value) || typeof value.verb !== 'string' || !value.verb || typeof value.value !== 'string') {
    return undefined;
  }
  return { actionId: value.verb, value: value.value };
}
