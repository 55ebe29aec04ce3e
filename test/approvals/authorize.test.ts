import { authorizeApprover, requiresDistinctApprover } from '../../src/core/approvals';
import { RemediationRefused } from '../../src/core/errors';
import type { Actor } from '../../src/core/ports/chat';
import { approvalsSettings, approver } from './fixtures/setup';

const approval = { id: 'ap1', requestedBy: { platform: 'slack' as const, userId: 'U_REQUESTER' } };

function refusal(fn: () => void): RemediationRefused {
  try {
    fn();
  } catch (error) {
    if (error instanceof RemediationRefused) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('authorizeApprover', () => {
  const config = approvalsSettings();

  it('lets a configured Slack user approve', () => {
    expect(() => authorizeApprover(config, approver(3), approval)).not.toThrow();
  });

  it('lets a member of a configured Slack user group approve', () => {
    const member: Actor = { platform: 'slack', userId: 'U_SOMEONE', groups: ['S_OTHER', 'S_SECOPS'] };
    expect(() => authorizeApprover(config, member, approval)).not.toThrow();
  });

  it('refuses anyone else, naming where approvers are configured', () => {
    const stranger: Actor = {
      platform: 'slack',
      userId: 'U_STRANGER',
      displayName: 'Sam',
      groups: ['S_OTHER'],
    };
    const error = refusal(() => authorizeApprover(config, stranger, approval));
    expect(error.reason).toBe('forbidden');
    expect(error.message).toBe(
      'Sam (U_STRANGER) may not approve remediations on slack: approvers are the Slack user ids (U…) in ' +
        'approvals.slack.users or user-group ids (S…) in approvals.slack.user_groups.',
    );
    expect(refusal(() => authorizeApprover(config, stranger, approval, 'reject')).reason).toBe('forbidden');
  });

  it('checks Teams AAD object ids and CLI operator names', () => {
    const onTeams = { id: 'ap-t', requestedBy: { platform: 'teams' as const, userId: 'aad-requester' } };
    const onCli = { id: 'ap-c', requestedBy: { platform: 'cli' as const, userId: 'someone' } };
    expect(() =>
      authorizeApprover(config, { platform: 'teams', userId: 'aad-approver' }, onTeams),
    ).not.toThrow();
    expect(
      refusal(() => authorizeApprover(config, { platform: 'teams', userId: 'U_APPROVER_0' }, onTeams))
        .message,
    ).toMatch(/Azure AD object ids in approvals.teams.users/);
    expect(() => authorizeApprover(config, { platform: 'cli', userId: 'ops' }, onCli)).not.toThrow();
    expect(refusal(() => authorizeApprover(config, { platform: 'cli', userId: 'root' }, onCli)).reason).toBe(
      'forbidden',
    );
  });

  it('lets nobody approve on a platform without approvers, and says so', () => {
    const none = approvalsSettings({ teams: {} });
    const error = refusal(() =>
      authorizeApprover(none, { platform: 'teams', userId: 'aad-approver' }, approval),
    );
    expect(error.reason).toBe('forbidden');
    expect(error.message).toBe(
      'No approvers are configured for teams, so nobody may approve or reject remediations there; ' +
        'add Azure AD object ids in approvals.teams.users to the configuration.',
    );
  });

  it('refuses self-approval on chat platforms by default, but lets the requester withdraw', () => {
    const selfRequested = {
      id: 'ap2',
      requestedBy: { platform: 'slack' as const, userId: 'U_REQ_APPROVER' },
    };
    const self: Actor = { platform: 'slack', userId: 'U_REQ_APPROVER', displayName: 'Quinn' };
    const error = refusal(() => authorizeApprover(config, self, selfRequested));
    expect(error.reason).toBe('self-approval');
    expect(error.message).toBe(
      'Quinn (U_REQ_APPROVER) requested this remediation and may not also approve it ' +
        '(approvals.slack.require_distinct_approver is on); another approver must approve it.',
    );
    expect(() => authorizeApprover(config, self, selfRequested, 'reject')).not.toThrow();
    const relaxed = approvalsSettings({
      slack: { users: ['U_REQ_APPROVER'], require_distinct_approver: false },
    });
    expect(() => authorizeApprover(relaxed, self, selfRequested)).not.toThrow();
  });

  it('allows self-approval on the CLI unless configured otherwise', () => {
    const cliRequested = { id: 'ap3', requestedBy: { platform: 'cli' as const, userId: 'ops' } };
    expect(() => authorizeApprover(config, { platform: 'cli', userId: 'ops' }, cliRequested)).not.toThrow();
    const strict = approvalsSettings({ cli: { users: ['ops'], require_distinct_approver: true } });
    expect(
      refusal(() => authorizeApprover(strict, { platform: 'cli', userId: 'ops' }, cliRequested)).reason,
    ).toBe('self-approval');
  });

  it("refuses decisions from another platform than the request's (one person has an id per platform)", () => {
    const teamsConfig = approvalsSettings({ teams: { users: ['aad-approver'] } });
    const error = refusal(() =>
      authorizeApprover(teamsConfig, { platform: 'teams', userId: 'aad-approver' }, approval),
    );
    expect(error.reason).toBe('forbidden');
    expect(error.message).toBe(
      'This remediation was requested on slack; it can only be approved or rejected there.',
    );
    const bySystem = { id: 'ap-s', requestedBy: { platform: 'system' as const, userId: 'schedule:daily' } };
    expect(() =>
      authorizeApprover(teamsConfig, { platform: 'teams', userId: 'aad-approver' }, bySystem),
    ).not.toThrow();
  });

  it('defaults require_distinct_approver to on for chat and off for the CLI', () => {
    expect(requiresDistinctApprover(config, 'slack')).toBe(true);
    expect(requiresDistinctApprover(config, 'teams')).toBe(true);
    expect(requiresDistinctApprover(config, 'cli')).toBe(false);
  });

  it('takes a chat decision only from the conversation the approval was requested in', () => {
    const requested = { ...approval, conversation: { platform: 'slack', id: 'C_PLAN', messageRef: '1.2' } };
    const here = { platform: 'slack', id: 'C_PLAN' };
    const elsewhere = { platform: 'slack', id: 'C_OTHER' };
    expect(() => authorizeApprover(config, approver(3), requested, 'approve', here)).not.toThrow();
    for (const decision of ['approve', 'reject'] as const) {
      const error = refusal(() => authorizeApprover(config, approver(3), requested, decision, elsewhere));
      expect(error.reason).toBe('wrong-conversation');
      expect(error.message).toBe(
        'This remediation was requested in another Slack conversation (C_PLAN); approve or reject it there, on its own message.',
      );
    }
    // Same id on another platform is another conversation.
    expect(
      refusal(() =>
        authorizeApprover(config, approver(3), requested, 'approve', { platform: 'teams', id: 'C_PLAN' }),
      ).reason,
    ).toBe('wrong-conversation');
    // A decision that names no conversation (the CLI) or an approval that has none: the platform binding only.
    expect(() => authorizeApprover(config, approver(3), requested, 'approve')).not.toThrow();
    expect(() => authorizeApprover(config, approver(3), approval, 'approve', elsewhere)).not.toThrow();
  });
});
