/**
 * The remediation kind of approval: what the approval workflow (core/approvals/workflow.ts) needs to know
 * about remediations and nothing else. Proposing audits one account, plans, logs the plan and asks to
 * approve it when it has steps that can reach COMPLIANT; before an approved plan runs it is derived again
 * from a fresh audit (a different hash, or a blocker that appeared, makes the approval stale); running it
 * executes the steps through the RemediationRuntime port (heartbeat before each step, one audit-log line
 * after each) and re-audits. `default_action: remediate` is the one policy under which it is approved
 * without a person.
 */
import { performance } from 'node:perf_hooks';
import type { ApprovalKindHandler, ApprovalSubject, RunContext, RunResult } from '../approvals/kind';
import { SYSTEM_ACTOR } from '../approvals/ledger';
import type { Execution } from '../approvals/workflow';
import { CisBotError, RemediationRefused } from '../errors';
import { type AccountFinding, credentialsRefusal } from '../evaluate/findings';
import type { Metrics } from '../ports/metrics';
import type { RemediationRuntime } from '../ports/remediation-runtime';
import type { ActorRef, Approval, AuditLogStore } from '../ports/store';
import { decidedPlanCard, progressCard, resultCard } from '../present/remediation-cards';
import type { ControlSettingsMap } from '../settings';
import type { RemediationAssessor } from './assessor';
import { planKind, unresolvedBlockers } from './plan-assembly';
import type { ExecutionEvent, ExecutionResult, Plan } from './types';

/** What to remediate: a control in one account (default: the only audited account). */
export interface RemediationInput {
  control: string;
  accountId?: string | undefined;
}

export type RemediationProposal =
  /** Steps to approve: the approval request was created (state `requested`). */
  | { kind: 'plan'; plan: Plan; approval: Approval; finding: AccountFinding }
  /** The account is compliant. */
  | { kind: 'nothing-to-do'; plan: Plan; finding: AccountFinding }
  /** Nothing cis-bot can do: the plan holds only guidance (trail links, access, a pending confirmation...). */
  | { kind: 'guidance-only'; plan: Plan; finding: AccountFinding };

/** What a run of an approved plan ends with. */
export interface RemediationOutcome {
  plan: Plan;
  result: ExecutionResult;
}

export type RemediationTypes = {
  input: RemediationInput;
  subject: Plan;
  proposal: RemediationProposal;
  event: ExecutionEvent;
  outcome: RemediationOutcome;
};

export type RemediationKind = ApprovalKindHandler<RemediationTypes>;

/** An executed remediation, as the approval workflow reports it. */
export type RemediationExecution = Execution<'remediation', RemediationTypes>;

export interface RemediationKindDeps {
  assessor: RemediationAssessor;
  runtime: Pick<RemediationRuntime, 'execute'>;
  /** Where plans and refusals of its own are logged. */
  store: AuditLogStore;
  /** Each control's default_action (`remediate` allows automatic approval). */
  controls: ControlSettingsMap;
  now?: () => Date;
  /** Where each step's outcome and duration is recorded; default: nowhere. */
  metrics?: Metrics;
}

export const REMEDIATION = 'remediation';

/**
 * An execution the caller knows is a remediation (it approved a remediation's approval id), as one:
 * the workflow answers with any registered kind's execution; another kind here is a bug, said loudly.
 */
export function remediationExecution(executed: { kind: string; approval: Approval }): RemediationExecution {
  if (executed.kind !== REMEDIATION) {
    throw new CisBotError(
      'APPROVAL_KIND',
      `approval ${executed.approval.id} is a ${executed.kind}, not a remediation`,
    );
  }
  return executed as RemediationExecution;
}

function subjectOf(plan: Plan): ApprovalSubject<Plan> {
  return {
    hash: plan.hash,
    control: plan.control,
    accountId: plan.accountId,
    region: plan.target.region,
    body: plan,
  };
}

export function createRemediationKind(deps: RemediationKindDeps): RemediationKind {
  const now = deps.now ?? (() => new Date());

  async function logPlan(plan: Plan, actor: ActorRef): Promise<void> {
    await deps.store.appendAuditLog({
      at: now().toISOString(),
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

  /**
   * A re-derivation whose audit AWS refused cis-bot's credentials for says nothing about the account: the
   * plan is not judged stale (that would use up the approval for a credentials problem). The approval stays
   * `approved`, the refusal is audit-logged, and the resume of approved plans runs it once AWS accepts the
   * credentials again.
   */
  async function refuseOnRefusedCredentials(approval: Approval, finding: AccountFinding): Promise<void> {
    const refused = credentialsRefusal(finding);
    if (refused === undefined) return;
    await deps.store.appendAuditLog({
      at: now().toISOString(),
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

  async function run(
    { body: plan }: ApprovalSubject<Plan>,
    ctx: RunContext<ExecutionEvent>,
  ): Promise<RunResult<RemediationOutcome>> {
    const actor = ctx.approval.decidedBy ?? SYSTEM_ACTOR;
    const control = deps.assessor.plannable(plan.control);
    let stepStarted = performance.now();
    const result = await deps.runtime.execute(plan, {
      onStep: async (event) => {
        // Lease and audit-log writes must succeed (a throw aborts); progress is display only.
        if (event.type === 'step-started') await ctx.heartbeat();
        else {
          const { step, outcome } = event;
          deps.metrics?.remediationStep({
            control: plan.control,
            accountId: plan.accountId,
            call: `${step.call.service}:${step.call.operation}`,
            status: outcome.status,
            durationMs: performance.now() - stepStarted,
          });
          await ctx.logStep({
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
        await ctx.progress(event);
        // The step's own time starts once the heartbeat and its progress line are out of the way.
        if (event.type === 'step-started') stepStarted = performance.now();
      },
      reaudit: async () => (await deps.assessor.auditOne(control, plan.accountId, actor, 're-audit')).finding,
    });
    return {
      outcome: { plan, result },
      state: result.status === 'failed' ? 'failed' : 'succeeded',
      result,
      ...(result.failedStep
        ? { error: `step ${result.failedStep.id} failed: ${result.failedStep.message}` }
        : {}),
    };
  }

  return {
    kind: REMEDIATION,

    async propose(input, ctx) {
      const { plan, finding } = await deps.assessor.assess(input.control, input.accountId, ctx.requestedBy);
      const kind = planKind(plan);
      await logPlan(plan, ctx.requestedBy);
      if (kind !== 'steps') return { kind, plan, finding };
      const approval = await ctx.request(subjectOf(plan));
      return { kind: 'plan', plan, approval, finding };
    },

    automaticApproval(input) {
      const action = deps.controls[input.control]?.default_action ?? 'notify';
      if (action !== 'remediate') {
        throw new RemediationRefused(
          'forbidden',
          `Control ${input.control} has default_action "${action}": automatic remediation needs controls."${input.control}".default_action: remediate in the configuration.`,
        );
      }
      return `controls.${input.control}.default_action is remediate`;
    },

    async recheck(stored, approval) {
      const fresh = await deps.assessor.assess(
        stored.control,
        stored.accountId,
        approval.decidedBy ?? SYSTEM_ACTOR,
        're-derive',
      );
      await refuseOnRefusedCredentials(approval, fresh.finding);
      // A plan whose steps can no longer reach COMPLIANT (a blocker appeared, e.g. the topic lost its only
      // confirmed subscriber) is not run even if its steps are unchanged.
      const blockers = unresolvedBlockers(fresh.plan);
      if (planKind(fresh.plan) === 'steps') return { subject: subjectOf(fresh.plan) };
      const blocked =
        blockers.length > 0 ? blockers.map((g) => g.title).join('; ') : 'nothing cis-bot can do';
      return { subject: subjectOf(fresh.plan), blocked };
    },

    run,

    present: {
      decided: decidedPlanCard,
      progress: progressCard,
      outcome: ({ result }) => resultCard(result),
    },
  };
}
