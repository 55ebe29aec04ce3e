/**
 * Revoking an accepted exception (the Revoke button; `cis-bot exceptions revoke ID`): approvers of the
 * revoker's platform only (the same approver list that grants exceptions), one compare-and-set in the
 * store (of two revokers exactly one wins), audit-logged either way. From the next audit the control
 * fails again.
 */
import { isApprover } from '../approvals/authorize';
import { describeActor } from '../approvals/state-machine';
import { RemediationRefused } from '../errors';
import type { Actor } from '../ports/chat';
import type { AuditLogStore, ExceptionRecord, ExceptionStore } from '../ports/store';
import type { ApprovalSettings } from '../settings';

export interface RevokeDeps {
  store: ExceptionStore & AuditLogStore;
  settings: Pick<ApprovalSettings, 'platforms'>;
  now?: () => Date;
}

export async function revokeException(deps: RevokeDeps, id: string, actor: Actor): Promise<ExceptionRecord> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const by = {
    platform: actor.platform,
    userId: actor.userId,
    ...(actor.displayName !== undefined ? { displayName: actor.displayName } : {}),
  };
  const refuse = async (reason: 'forbidden' | 'not-found' | 'already-decided', message: string) => {
    await deps.store.appendAuditLog({
      at,
      kind: 'refused',
      actor: by,
      approvalId: id,
      detail: { reason, request: 'revoke-exception', message },
    });
    return new RemediationRefused(reason, message);
  };
  if (!isApprover(deps.settings, actor)) {
    const where =
      deps.settings.platforms[actor.platform]?.wording.approvers ?? `approvers for ${actor.platform}`;
    throw await refuse(
      'forbidden',
      `${describeActor(actor)} may not revoke exceptions: approvers are the ${where}.`,
    );
  }
  const revoked = await deps.store.revokeException(id, by, at);
  if (!revoked) {
    const existing = await deps.store.getException(id);
    throw existing
      ? await refuse(
          'already-decided',
          `Exception ${id} was already revoked by ${existing.revokedBy?.displayName ?? existing.revokedBy?.userId} at ${existing.revokedAt}.`,
        )
      : await refuse('not-found', `There is no exception ${id}; \`exceptions\` lists them.`);
  }
  await deps.store.appendAuditLog({
    at,
    kind: 'exception-revoked',
    actor: by,
    control: revoked.control,
    accountId: revoked.accountId,
    approvalId: id,
    detail: { until: revoked.until, reason: revoked.reason },
  });
  return revoked;
}
