/**
 * Who may approve or reject, from each platform's approver settings: platform user ids or groups (Slack
 * user groups), CLI operator names; no approvers means nobody on that platform. With
 * `requireDistinctApprover` (on by default for chat platforms, off for the CLI, whose operator acts with
 * their own AWS credentials anyway) the requester may not approve their own request. Pure.
 */
import { RemediationRefused } from '../errors';
import { type ApproverRules, type PlatformSettings, settingsFor } from '../platforms';
import type { Actor, ConversationRef, Platform } from '../ports/chat';
import type { Approval } from '../ports/store';
import type { ApprovalSettings } from '../settings';
import { describeActor } from './state-machine';

export type Decision = 'approve' | 'reject';

const NOBODY: ApproverRules = { users: [], groups: [], requireDistinctApprover: true };

function platformOf(
  settings: Pick<ApprovalSettings, 'platforms'>,
  platform: Platform,
): PlatformSettings | undefined {
  return settingsFor(settings.platforms, platform);
}

export function requiresDistinctApprover(settings: ApprovalSettings, platform: Platform): boolean {
  return (platformOf(settings, platform)?.approvers ?? NOBODY).requireDistinctApprover;
}

/** Is `actor` named in the approvers of their platform (directly or through a configured group)? */
export function isApprover(settings: Pick<ApprovalSettings, 'platforms'>, actor: Actor): boolean {
  const rules = platformOf(settings, actor.platform)?.approvers ?? NOBODY;
  if (rules.users.includes(actor.userId)) return true;
  return (actor.groups ?? []).some((group) => rules.groups.includes(group));
}

/**
 * Throws RemediationRefused('forbidden' | 'self-approval' | 'wrong-conversation') with a reason a person
 * can act on, or returns when `actor` may take `decision` on `approval`. The requester may withdraw
 * (reject) their own request if they are an approver; only approving it needs a second person. A decision
 * clicked in a chat conversation (`conversation`) must come from the one the approval was requested in:
 * a copy of the card elsewhere (forwarded, pasted, or a crafted click) is not where the approvers of
 * that conversation can see what is decided.
 */
export function authorizeApprover(
  settings: ApprovalSettings,
  actor: Actor,
  approval: Pick<Approval, 'id' | 'requestedBy'> & Partial<Pick<Approval, 'kind' | 'conversation'>>,
  decision: Decision = 'approve',
  conversation?: ConversationRef,
): void {
  const platform = actor.platform;
  // The kind's name is the word for what is approved: "remediation", "exception", "drill".
  const what = approval.kind ?? 'remediation';
  const known = platformOf(settings, platform);
  const rules = known?.approvers ?? NOBODY;
  const where = known?.wording.approvers ?? `approvers for the platform "${platform}"`;
  if (rules.users.length === 0 && rules.groups.length === 0) {
    throw new RemediationRefused(
      'forbidden',
      `No approvers are configured for ${platform}, so nobody may approve or reject ${what}s there; ` +
        `add ${where} to the configuration.`,
    );
  }
  if (!isApprover(settings, actor)) {
    throw new RemediationRefused(
      'forbidden',
      `${describeActor(actor)} may not ${decision} ${what}s on ${platform}: approvers are the ${where}.`,
    );
  }
  const requester = approval.requestedBy;
  // Identities are per platform: the same person is a Slack user id and a Teams object id, so a request is
  // decided on the platform it was made on (or, for the bot's own requests, anywhere); otherwise a
  // requester could approve their own plan from their other account.
  if (requester.platform !== 'system' && requester.platform !== platform) {
    throw new RemediationRefused(
      'forbidden',
      `This ${what} was requested on ${requester.platform}; it can only be approved or rejected there.`,
    );
  }
  const requestedIn = approval.conversation;
  if (
    conversation &&
    requestedIn &&
    (requestedIn.platform !== conversation.platform || requestedIn.id !== conversation.id)
  ) {
    throw new RemediationRefused(
      'wrong-conversation',
      `This ${what} was requested in another ${known?.label ?? platform} conversation (${requestedIn.id}); ` +
        'approve or reject it there, on its own message.',
    );
  }
  const self = requester.platform === platform && requester.userId === actor.userId;
  if (decision === 'approve' && self && rules.requireDistinctApprover) {
    throw new RemediationRefused(
      'self-approval',
      `${describeActor(actor)} requested this ${what} and may not also approve it ` +
        `(${known?.wording.distinctApproverSetting ?? 'require_distinct_approver'} is on); another approver must approve it.`,
    );
  }
}
