/**
 * Assessing one account for a remediation: audit it (recorded in the store like every audit), read what
 * the planner needs beyond the audit snapshot, and plan. No approval is asked for here: the remediation
 * kind (remediation-kind.ts) proposes plans through the approval workflow; a dry run only assesses.
 */
import { SYSTEM_ACTOR } from '../approvals/ledger';
import { recordAudit } from '../audit-recorder';
import { CONTROLS, type ControlRegistry, getControl } from '../controls/registry';
import { type Control, type MetricFilterControl, unhandledKind } from '../controls/types';
import { UsageError } from '../errors';
import type { AccountFinding } from '../evaluate/findings';
import type { AccountDirectory } from '../ports/account-directory';
import type { Auditor, AuditRequest } from '../ports/auditor';
import type { Actor } from '../ports/chat';
import { NO_FACTS, type RemediationRuntime } from '../ports/remediation-runtime';
import type { ActorRef, AuditLogStore, AuditRunStore, AuditTrigger } from '../ports/store';
import type { CoreSettings } from '../settings';
import type { AccountSnapshot } from '../snapshot';
import { planRemediation } from './planner';
import { remediationFactsRequest } from './repair-target';
import type { Plan } from './types';

export interface RemediationAssessorDeps {
  auditor: Auditor;
  /** Where the audits it runs are recorded. */
  store: AuditRunStore & AuditLogStore;
  runtime: Pick<RemediationRuntime, 'readFacts'>;
  settings: Pick<CoreSettings, 'remediation'>;
  /** The accounts the auditor audits when none are named (aws.accounts, or discovered). */
  accounts: AccountDirectory;
  now?: () => Date;
  controls?: ControlRegistry;
}

export interface Assessment {
  control: MetricFilterControl;
  finding: AccountFinding;
  snapshot: AccountSnapshot;
  plan: Plan;
}

type AnyActor = Actor | ActorRef;

function triggerOf(actor: AnyActor): AuditTrigger {
  return actor.platform === 'system' ? 'schedule' : actor.platform;
}

export class RemediationAssessor {
  private readonly deps: RemediationAssessorDeps;
  private readonly now: () => Date;

  constructor(deps: RemediationAssessorDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  /** Audits one account (default: the only audited account) and plans its remediation. */
  async assess(
    controlId: string,
    accountId: string | undefined,
    actor: AnyActor = SYSTEM_ACTOR,
    purpose = 'plan',
  ): Promise<Assessment> {
    const control = this.plannable(controlId);
    const { finding, snapshot } = await this.auditOne(control, accountId, actor, purpose);
    const settings = this.deps.settings.remediation;
    const request = remediationFactsRequest(finding, snapshot, control, settings);
    const facts = request ? await this.deps.runtime.readFacts(request) : NO_FACTS;
    return { control, finding, snapshot, plan: planRemediation(finding, snapshot, control, settings, facts) };
  }

  /** A control cis-bot plans remediations for: the chain controls; a service control's fix is guidance. */
  plannable(controlId: string): MetricFilterControl {
    const control = getControl(controlId, this.deps.controls ?? CONTROLS);
    switch (control.kind) {
      case 'metric-filter-chain':
        return control;
      case 'service':
        throw new UsageError(
          `CIS ${control.id} (${control.title}) is not changed by cis-bot: ${control.guidance.text} ${control.guidance.cli}`,
        );
      default:
        return unhandledKind(control);
    }
  }

  /** Audits one account (recorded with `purpose` in the audit log) and returns its finding and snapshot. */
  async auditOne(
    control: Control,
    accountId: string | undefined,
    actor: AnyActor,
    purpose: string,
  ): Promise<{ finding: AccountFinding; snapshot: AccountSnapshot }> {
    const outcome = await this.deps.auditor.audit(this.auditRequest(control, accountId));
    await recordAudit(this.deps.store, outcome.report, {
      trigger: triggerOf(actor),
      actor: {
        platform: actor.platform,
        userId: actor.userId,
        ...(actor.displayName ? { displayName: actor.displayName } : {}),
      },
      purpose,
      at: this.now().toISOString(),
    });
    const { accounts } = outcome.report;
    let index: number;
    if (accountId !== undefined) {
      index = accounts.findIndex((f) => f.accountId === accountId);
      if (index < 0) {
        throw new UsageError(
          `Account ${accountId} was not audited (audited: ${accounts.map((f) => f.accountId).join(', ') || 'none'}); add it to aws.accounts.`,
        );
      }
    } else if (accounts.length === 1) {
      index = 0;
    } else {
      throw new UsageError(
        `Several accounts were audited (${accounts.map((f) => f.accountId).join(', ')}): name one.`,
      );
    }
    const finding = accounts[index] as AccountFinding;
    const snapshot = outcome.snapshots[index] as AccountSnapshot;
    return { finding, snapshot };
  }

  private auditRequest(control: Control, accountId: string | undefined): AuditRequest {
    // With no account list the audit uses the current credentials' account (no AssumeRole into it).
    if (accountId === undefined || this.deps.accounts.source === 'own') return { control: control.id };
    return { control: control.id, accounts: [accountId] };
  }
}
