/**
 * The platform-neutral remediation workflow every adapter uses (CLI now; Slack, Teams and the scheduler
 * through the chat core): audit -> plan -> ask for approval -> on approval, re-derive the plan from a
 * fresh audit (stale if its hash changed) -> execute once under the approval's compare-and-set ->
 * re-audit. Every stage lands in the store's append-only audit log: the audit, the plan, the request,
 * the decision, execution-started, one `step` entry per step, execution-finished, and the re-audit.
 * AWS is reached only through the Auditor and RemediationRuntime ports.
 */
import { type ApprovalService, describeApprovalState, SYSTEM_ACTOR } from '../approvals';
import { recordAudit } from '../audit-recorder';
import { CONTROLS, type ControlRegistry, getControl } from '../controls/registry';
import { type Control, type MetricFilterControl, unhandledKind } from '../controls/types';
import { RemediationRefused, UsageError } from '../errors';
import { type AccountFinding, credentialsRefusal } from '../evaluate/findings';
import type { AccountDirectory } from '../ports/account-directory';
import type { AuditOutcome, Auditor, AuditRequest } from '../ports/auditor';
import type { Actor } from '../ports/chat';
import { NO_FACTS, type RemediationRuntime } from '../ports/remediation-runtime';
import type { ActorRef, Approval, AuditTrigger, ConversationPointer, Store } from '../ports/store';
import type { CoreSettings } from '../settings';
import type { AccountSnapshot } from '../snapshot';
import { planKind, planRemediation, remediationFactsRequest, unresolvedBlockers } from './planner';
import type { ExecutionEvent, ExecutionResult, Plan } from './types';

export interface RemediationWorkflowDeps {
  auditor: Auditor;
  store: Store;
  approvals: ApprovalService;
  runtime: RemediationRuntime;
  settings: Pick<CoreSettings, 'remediation' | 'controls'>;
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

export type Proposal =
  /** Steps to approve: the approval request was created (state `requested`). */
  | { kind: 'plan'; plan: Plan; approval: Approval; finding: AccountFinding }
  /** The account is compliant. */
  | { kind: 'nothing-to-do'; plan: Plan; finding: AccountFinding }
  /** Nothing cis-bot can do: the plan holds only guidance (trail links, access, a pending confirmation...). */
  | { kind: 'guidance-only'; plan: Plan; finding: AccountFinding };

export interface ExecutionOutcome {
  approval: Approval;
  plan: Plan;
  result: ExecutionResult;
}

export type StepListener = (event: ExecutionEvent) => void | Promise<void>;

type AnyActor = Actor | ActorRef;

function triggerOf(actor: AnyActor): AuditTrigger {
  return actor.platform === 'system' ? 'schedule' : actor.platform;
}

export class RemediationWorkflow {
  private readonly deps: RemediationWorkflowDeps;
  private readonly now: () => Date;

  constructor(deps: RemediationWorkflowDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
  }

  /** Audits one account and plans its remediation, without asking for anything (a dry run). */
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

  /** Plans the remediation of `accountId` (default: the only audited account) and asks for approval. */
  async propose(
    controlId: string,
    accountId: string | undefined,
    requestedBy: AnyActor,
    conversation?: ConversationPointer,
  ): Promise<Proposal> {
    const { plan, finding } = await this.assess(controlId, accountId, requestedBy);
    const kind = planKind(plan);
    await this.logPlan(plan, requestedBy);
    if (kind !== 'steps') return { kind, plan, finding };
    await this.savePlan(plan);
    const approval = await this.deps.approvals.request({
      planHash: plan.hash,
      control: plan.control,
      accountId: plan.accountId,
      requestedBy,
      ...(conversation ? { conversation } : {}),
    });
    return { kind: 'plan', plan, approval, finding };
  }

  approve(approvalId: string, actor: Actor): Promise<Approval> {
    return this.deps.approvals.decide({ approvalId, actor, decision: 'approve' });
  }

  reject(approvalId: string, actor: Actor): Promise<Approval> {
    return this.deps.approvals.decide({ approvalId, actor, decision: 'reject' });
  }

  /** Approves (refusing unauthorized, self, expired, repeated decisions) and executes. */
  async approveAndExecute(
    approvalId: string,
    actor: Actor,
    onStep?: StepListener,
  ): Promise<ExecutionOutcome> {
    const approval = await this.approve(approvalId, actor);
    return this.executeApproved(approval, onStep);
  }

  /** Executes an approval already in state `approved` (e.g. after a separate `approve`). */
  async execute(approvalId: string, onStep?: StepListener): Promise<ExecutionOutcome> {
    const approval = await this.deps.approvals.get(approvalId);
    if (!approval)
      throw new RemediationRefused('not-found', `There is no approval ${approvalId}; ask for a new plan.`);
    return this.executeApproved(approval, onStep);
  }

  /**
   * Picks up an approval a crash left behind: `approved` but never started (re-derived and started as
   * usual), or `executing` with a lapsed lease (the SAME approved plan runs again; the executor skips
   * the steps that were done).
   */
  async resume(approvalId: string, onStep?: StepListener): Promise<ExecutionOutcome> {
    const approval = await this.deps.approvals.get(approvalId);
    if (!approval) throw new RemediationRefused('not-found', `There is no approval ${approvalId}.`);
    if (approval.state === 'approved') return this.executeApproved(approval, onStep);
    const resumed = await this.deps.approvals.resumeInterrupted(approvalId);
    const plan = await this.loadPlan(resumed.planHash);
    return this.run(resumed, plan, onStep);
  }

  /**
   * Resumes what a crash left behind (call at start-up): every execution whose lease lapsed, and every
   * approval approved a while ago but never started (re-derived first, so it runs or becomes stale).
   * One failure does not stop the others.
   */
  async resumeInterrupted(
    onStep?: StepListener,
  ): Promise<Array<ExecutionOutcome | { approvalId: string; error: string }>> {
    const out: Array<ExecutionOutcome | { approvalId: string; error: string }> = [];
    const pending = [
      ...(await this.deps.approvals.interruptedExecutions()),
      ...(await this.deps.approvals.abandonedApprovals()),
    ];
    for (const approval of pending) {
      try {
        out.push(await this.resume(approval.id, onStep));
      } catch (error) {
        out.push({ approvalId: approval.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return out;
  }

  /**
   * `default_action: remediate` (an explicit opt-in per control): plans and executes without a person,
   * approved and audit-logged as cis-bot itself. Refused for any other default_action.
   */
  async autoRemediate(
    controlId: string,
    accountId?: string,
    onStep?: StepListener,
  ): Promise<ExecutionOutcome | Exclude<Proposal, { kind: 'plan' }>> {
    const action = this.deps.settings.controls[controlId]?.default_action ?? 'notify';
    if (action !== 'remediate') {
      throw new RemediationRefused(
        'forbidden',
        `Control ${controlId} has default_action "${action}": automatic remediation needs controls."${controlId}".default_action: remediate in the configuration.`,
      );
    }
    const { plan, finding } = await this.assess(controlId, accountId, SYSTEM_ACTOR);
    const kind = planKind(plan);
    await this.logPlan(plan, SYSTEM_ACTOR);
    if (kind !== 'steps') return { kind, plan, finding };
    await this.savePlan(plan);
    const approved = await this.deps.approvals.approveAutomatically({
      planHash: plan.hash,
      control: plan.control,
      accountId: plan.accountId,
      reason: `controls.${controlId}.default_action is remediate`,
    });
    const executing = await this.deps.approvals.beginExecution(approved.id, plan.hash);
    return this.run(executing, plan, onStep);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private async executeApproved(approval: Approval, onStep?: StepListener): Promise<ExecutionOutcome> {
    if (approval.state !== 'approved') {
      const reason =
        approval.state === 'requested'
          ? 'forbidden'
          : approval.state === 'expired' || approval.state === 'stale'
            ? approval.state
            : 'already-decided';
      const hint = approval.state === 'requested' ? ' It must be approved first.' : '';
      throw new RemediationRefused(reason, `${describeApprovalState(approval)}${hint}`);
    }
    const stored = await this.loadPlan(approval.planHash);
    const fresh = await this.assess(
      stored.control,
      stored.accountId,
      approval.decidedBy ?? SYSTEM_ACTOR,
      're-derive',
    );
    await this.refuseOnRefusedCredentials(approval, fresh.finding);
    // A plan whose steps can no longer reach COMPLIANT (a blocker appeared, e.g. the topic lost its only
    // confirmed subscriber) is not run even if its steps are unchanged.
    const blockers = unresolvedBlockers(fresh.plan);
    const blocked =
      planKind(fresh.plan) === 'steps'
        ? undefined
        : blockers.length > 0
          ? blockers.map((g) => g.title).join('; ')
          : 'nothing cis-bot can do';
    const executing = await this.deps.approvals.beginExecution(approval.id, fresh.plan.hash, blocked);
    return this.run(executing, fresh.plan, onStep);
  }

  /**
   * A re-derivation whose audit AWS refused cis-bot's credentials for says nothing about the account: the
   * plan is not judged stale (that would use up the approval for a credentials problem). The approval stays
   * `approved`, the refusal is audit-logged, and the resume of approved plans runs it once AWS accepts the
   * credentials again.
   */
  private async refuseOnRefusedCredentials(approval: Approval, finding: AccountFinding): Promise<void> {
    const refused = credentialsRefusal(finding);
    if (refused === undefined) return;
    await this.deps.store.appendAuditLog({
      at: this.now().toISOString(),
      kind: 'refused',
      platform: 'system',
      control: approval.control,
      accountId: approval.accountId,
      planHash: approval.planHash,
      approvalId: approval.id,
      detail: { reason: 'aws-credentials', state: approval.state, message: refused },
    });
    throw new RemediationRefused(
      'aws-credentials',
      `Nothing was changed: AWS refused cis-bot's credentials while re-checking account ${approval.accountId} before running approval ${approval.id}. ${refused} The approval still stands: once the credentials work again, cis-bot runs it when it resumes approved plans (or ask for a new plan).`,
    );
  }

  private async run(approval: Approval, plan: Plan, onStep?: StepListener): Promise<ExecutionOutcome> {
    const { approvals } = this.deps;
    const actor = approval.decidedBy ?? SYSTEM_ACTOR;
    const control = getControl(plan.control, this.deps.controls ?? CONTROLS);
    let result: ExecutionResult;
    try {
      result = await this.deps.runtime.execute(plan, {
        onStep: async (event) => {
          // Lease and audit-log writes must succeed (a throw aborts); the listener is display only.
          if (event.type === 'step-started') await approvals.heartbeat(approval.id);
          else {
            const { step, outcome } = event;
            await approvals.logStep(approval, {
              index: event.index,
              stepId: step.id,
              title: step.title,
              call: `${step.call.service}:${step.call.operation}`,
              cli: step.cli,
              status: outcome.status,
              detail: outcome.detail,
              ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
              ...(outcome.arn ? { arn: outcome.arn } : {}),
            });
          }
          try {
            await onStep?.(event);
          } catch {
            // A chat post that failed must not abort a half-done remediation.
          }
        },
        reaudit: async () => (await this.auditOne(control, plan.accountId, actor, 're-audit')).finding,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await approvals
        .finishExecution(approval.id, 'failed', { error: message }, `execution aborted: ${message}`)
        .catch(() => undefined); // not ours any more: the new owner finishes it
      throw error;
    }
    const finished = await approvals.finishExecution(
      approval.id,
      result.status === 'failed' ? 'failed' : 'succeeded',
      result,
      result.failedStep ? `step ${result.failedStep.id} failed: ${result.failedStep.message}` : undefined,
    );
    return { approval: finished, plan, result };
  }

  /** A control cis-bot plans remediations for: the chain controls; a service control's fix is guidance. */
  private plannable(controlId: string): MetricFilterControl {
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

  private auditRequest(control: Control, accountId: string | undefined): AuditRequest {
    // With no account list the audit uses the current credentials' account (no AssumeRole into it).
    if (accountId === undefined || this.deps.accounts.source === 'own') return { control: control.id };
    return { control: control.id, accounts: [accountId] };
  }

  private async auditOne(
    control: Control,
    accountId: string | undefined,
    actor: AnyActor,
    purpose: string,
  ): Promise<{ finding: AccountFinding; snapshot: AccountSnapshot }> {
    const outcome = await this.deps.auditor.audit(this.auditRequest(control, accountId));
    await this.recordAudit(outcome, actor, purpose);
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

  private async recordAudit(outcome: AuditOutcome, actor: AnyActor, purpose: string): Promise<void> {
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
  }

  private async savePlan(plan: Plan): Promise<void> {
    await this.deps.store.savePlan({
      hash: plan.hash,
      control: plan.control,
      accountId: plan.accountId,
      region: plan.target.region,
      createdAt: this.now().toISOString(),
      plan,
    });
  }

  private async loadPlan(hash: string): Promise<Plan> {
    const record = await this.deps.store.getPlan(hash);
    if (!record)
      throw new RemediationRefused('not-found', `The plan ${hash} is not in the store; ask for a new plan.`);
    return record.plan as Plan;
  }

  private async logPlan(plan: Plan, actor: AnyActor): Promise<void> {
    await this.deps.store.appendAuditLog({
      at: this.now().toISOString(),
      kind: 'plan',
      actor: { platform: actor.platform, userId: actor.userId },
      platform: actor.platform,
      control: plan.control,
      accountId: plan.accountId,
      planHash: plan.hash,
      detail: {
        kind: planKind(plan),
        target: { accountId: plan.target.accountId, region: plan.target.region },
        steps: plan.steps.map((s) => ({ id: s.id, title: s.title, cli: s.cli })),
        guidance: plan.guidance.map((g) => ({ severity: g.severity, title: g.title })),
        finding: plan.finding,
      },
    });
  }
}
