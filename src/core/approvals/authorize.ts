/**
 * Who may approve or reject a remediation, from the `approvals` configuration: Slack user ids or user
 * groups, Teams AAD object ids, CLI operator names; an empty list means nobody on that platform. With
 * `require_distinct_approver` (default on for Slack and Teams, off for the CLI, whose operator acts with
 * their own AWS credentials anyway) the requester may not approve their own request. Pure.
 */
import type { ApprovalsConfig } from '../../config/schema';
import { RemediationRefused } from '../errors';
import type { Actor, Platform } from '../ports/chat';
import type { Approval } from '../ports/store';
import { describeActor } from './state-machine';

export type Decision = 'approve' | 'reject';

const IDENTITY: Record<Platform, string> = {
  slack: 'Slack user ids (U…) in approvals.slack.users or user-group ids (S…) in approvals.slack.user_groups',
  teams: 'Azure AD object ids in approvals.teams.users',
  cli: 'operator names in approvals.cli.users',
};

export function requiresDistinctApprover(config: ApprovalsConfig, platform: Platform): boolean {
  return config[platform].require_distinct_approver ?? platform !== 'cli';
}

/** Is `actor` named in the approvers of their platform (directly or through a configured group)? */
export function isApprover(config: ApprovalsConfig, actor: Actor): boolean {
  const rules = config[actor.platform];
  if (rules.users.includes(actor.userId)) return true;
  return (actor.groups ?? []).some((group) => rules.user_groups.includes(group));
}

/**
 * Throws RemediationRefused('forbidden' | 'self-approval') with a reason a person can act on, or returns
 * when `actor` may take `decision` on `approval`. The requester may withdraw (reject) their own request
 * if they are an approver; only approving it needs a second person.
 */
export function authorizeApprover(
  config: ApprovalsConfig,
  actor: Actor,
  approval: Pick<Approval, 'id' | 'requestedBy'>,
  decision: Decision = 'approve',
): void {
  const platform = actor.platform;
  const rules = config[platform];
  if (rules.users.length === 0 && rules.user_groups.length === 0) {
    throw new RemediationRefused(
      'forbidden',
      `No approvers are configured for ${platform}, so nobody may approve or reject remediations there; ` +
        `add ${IDENTITY[platform]} to the configuration.`,
    );
  }
  if (!isApprover(config, actor)) {
    throw new RemediationRefused(
      'forbidden',
      `${describeActor(actor)} may not ${decision} remediations on ${platform}: approvers are the ${IDENTITY[platform]}.`,
    );
  }
  const requester = approval.requestedBy;
  // Identities are per platform: the same person is a Slack user id and a Teams object id, so a request is
  // decided on the platform it was made on (or, for the bot's own requests, anywhere); otherwise a
  // requester could approve their own plan from their other account.
  if (requester.platform !== 'system' && requester.platform !== platform) {
    throw new RemediationRefused(
      'forbidden',
      `This remediation was requested on ${requester.platform}; it can only be approved or rejected there.`,
    );
  }
  const self = requester.platform === platform && requester.userId === actor.userId;
  if (decision === 'approve' && self && requiresDistinctApprover(config, platform)) {
    throw new RemediationRefused(
      'self-approval',
      `${describeActor(actor)} requested this remediation and may not also approve it ` +
        `(approvals.${platform}.require_distinct_approver is on); another approver must approve it.`,
    );
  }
}
