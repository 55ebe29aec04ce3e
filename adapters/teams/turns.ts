/**
 * Reading Teams activities: whether one is served at all, who acts, where, and which button was clicked.
 * Pure helpers over the documented activity shapes (message, `invoke` named `adaptiveCard/action`, and
 * the `Action.Submit` fallback, which arrives as a message whose `value` is the action's data and whose
 * text is empty).
 *
 * Trust: botbuilder checks the Bot Framework token, and the token's signing key is endorsed for the
 * channel the activity names (`channelId`). Only `msteams` is served: on other channels of the same
 * Azure Bot (Direct Line, Web Chat) the client chooses `from.id` and sends no tenant, so nothing in the
 * activity says who acts. In Teams the actor is the Entra object id (`from.aadObjectId`), the id
 * `approvals.teams.users` lists, and never the channel-specific `from.id`.
 */
import type { Actor, AdapterRefusal, ButtonClick, ConversationRef } from '../../src/core/ports/chat';
import { channelConversationId } from './conversations';

export interface ActivityLike {
  type?: string;
  name?: string;
  text?: string;
  value?: unknown;
  channelId?: string;
  from?: { id?: string; name?: string; aadObjectId?: string };
  conversation?: { id?: string; tenantId?: string };
  channelData?: unknown;
}

export const INVOKE_ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';
export const TEAMS_CHANNEL_ID = 'msteams';

/**
 * The Entra object id, as `approvals.teams.users` lists it; undefined when the activity carries none
 * (then nobody can be named: the caller refuses rather than fall back to the client-chosen `from.id`).
 */
export function actorOf(activity: ActivityLike): Actor | undefined {
  const from = activity.from;
  const objectId = from?.aadObjectId;
  if (typeof objectId !== 'string' || !objectId.trim()) return undefined;
  return {
    platform: 'teams',
    userId: objectId,
    ...(from?.name ? { displayName: from.name } : {}),
  };
}

/**
 * Why an activity is not served, or undefined when it is. `allowedTenants` (lower case) empty means no
 * tenant check (development mode only; authenticated mode always has at least one tenant).
 */
export function notServedBecause(
  activity: ActivityLike,
  allowedTenants: readonly string[],
): string | undefined {
  if (activity.channelId !== TEAMS_CHANNEL_ID) return 'it is not from the Microsoft Teams channel';
  if (!allowedTenants.length) return undefined;
  const tenant = tenantOf(activity);
  // A missing tenant is not a pass: it is exactly what a non-Teams client would send.
  if (!tenant) return 'it names no tenant (channelData.tenant.id)';
  if (!allowedTenants.includes(tenant)) return 'it is from another tenant';
  const conversationTenant = activity.conversation?.tenantId;
  if (typeof conversationTenant === 'string' && conversationTenant.toLowerCase() !== tenant) {
    return 'its conversation belongs to another tenant';
  }
  return undefined;
}

export function conversationOf(activity: ActivityLike): ConversationRef {
  return { platform: 'teams', id: channelConversationId(activity.conversation?.id ?? '') };
}

export function tenantOf(activity: ActivityLike): string | undefined {
  const data = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const id = data?.tenant?.id;
  return typeof id === 'string' && id ? id.toLowerCase() : undefined;
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

/** A refusal of the adapter for the audit log: who (if Teams names an Entra user), where, why. */
export function refusalOf(
  activity: ActivityLike,
  reason: string,
  request?: string,
  detail: Record<string, unknown> = {},
): AdapterRefusal {
  const actor = actorOf(activity);
  return {
    ...(actor ? { actor } : {}),
    ...(activity.conversation?.id ? { conversation: conversationOf(activity) } : {}),
    reason,
    ...(request !== undefined ? { request } : {}),
    detail: { ...detail, ...(actor ? {} : { fromId: activity.from?.id ?? null }) },
  };
}
