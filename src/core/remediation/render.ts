/**
 * Plain-text views of a plan and of an execution result, for the CLI and for any adapter that wants a
 * readable fallback. Pure; the plan's hash is always shown, since it is what an approver approves.
 */
import { unresolvedBlockers } from './plan-assembly';
import type { ExecutionResult, Guidance, Plan, StepOutcome } from './types';

function guidanceLines(guidance: readonly Guidance[]): string[] {
  const lines: string[] = [];
  for (const g of guidance) {
    const tag =
      g.severity === 'blocker'
        ? 'ACTION NEEDED'
        : g.severity === 'awaiting-confirmation'
          ? 'AWAITING CONFIRMATION'
          : 'NOTE';
    lines.push(`  - [${tag}] ${g.title}`);
    lines.push(`    ${g.detail}`);
    if (g.cli) lines.push(`    $ ${g.cli}`);
    if (g.iamAction) lines.push(`    IAM: ${g.iamAction}`);
  }
  return lines;
}

export function renderPlanText(plan: Plan): string {
  const t = plan.target;
  const blocked = unresolvedBlockers(plan)
    .map((g) => g.title)
    .join('; ');
  const lines: string[] = [];
  lines.push(`CIS ${plan.control} remediation plan for account ${plan.accountId}`);
  lines.push(
    `Finding: ${plan.finding.status}${plan.finding.brokenLink ? ` (broken link: ${plan.finding.brokenLink})` : ''}: ${plan.finding.reason}`,
  );
  if (plan.steps.length > 0) {
    lines.push(
      `Target: account ${t.accountId}, region ${t.region}${t.logGroupName ? `, log group ${t.logGroupName}` : ''}`,
    );
    lines.push(`Plan hash: ${plan.hash}`);
    if (blocked) {
      lines.push('');
      lines.push(
        `Not offered for approval: these steps alone cannot make the account compliant (${blocked}). Do the ACTION NEEDED below, then ask for a new plan.`,
      );
    }
    lines.push('');
    lines.push(`Steps (${plan.steps.length}${blocked ? ', once that is done' : ''}):`);
    plan.steps.forEach((step, i) => {
      lines.push(`  ${i + 1}. ${step.title}`);
      lines.push(
        `     API:          ${step.call.service}:${step.call.operation} ${JSON.stringify(step.call.input)}`,
      );
      lines.push(`     CLI:          ${step.cli}`);
      lines.push(`     IAM action:   ${step.iamAction}`);
      lines.push(`     Precondition: ${step.precondition}`);
    });
  } else if (plan.finding.status === 'COMPLIANT') {
    lines.push('Nothing to do: the chain holds.');
  } else {
    lines.push('No steps cis-bot can take: see the guidance below.');
  }
  if (plan.guidance.length > 0) {
    lines.push('');
    lines.push('Guidance:');
    lines.push(...guidanceLines(plan.guidance));
  }
  return `${lines.join('\n')}\n`;
}

const MARK: Record<StepOutcome['status'], string> = {
  done: 'done',
  skipped: 'skipped',
  failed: 'FAILED',
  'not-run': 'not run',
};

export function renderStepOutcome(outcome: StepOutcome, index: number, total: number): string {
  return `[${index + 1}/${total}] ${MARK[outcome.status]}: ${outcome.title}: ${outcome.detail}`;
}

/** The result; `steps: false` leaves out the step lines (when progress was already shown as it happened). */
export function renderResultText(result: ExecutionResult, options: { steps?: boolean } = {}): string {
  const lines: string[] = [];
  const headline: Record<ExecutionResult['status'], string> = {
    compliant: 'Remediation finished: the re-audit says COMPLIANT.',
    'awaiting-confirmation': 'Remediation finished, awaiting confirmation of the subscription.',
    'not-compliant': 'Remediation finished, but the re-audit is not COMPLIANT.',
    failed: `Remediation stopped: step ${result.failedStep?.id ?? '?'} failed.`,
  };
  lines.push(headline[result.status]);
  if (options.steps !== false) {
    result.steps.forEach((s, i) => {
      lines.push(`  ${renderStepOutcome(s, i, result.steps.length)}`);
    });
  }
  if (result.failedStep) {
    lines.push(`Failed step: ${result.failedStep.title}`);
    lines.push(
      `  ${result.failedStep.errorCode ? `${result.failedStep.errorCode}: ` : ''}${result.failedStep.message}`,
    );
  }
  for (const p of result.awaitingConfirmation) {
    lines.push(
      `${p.endpoint} must confirm its ${p.protocol} subscription to ${p.topicArn} (SNS sent it a confirmation message); the next audit picks it up.`,
    );
  }
  const r = result.reaudit;
  lines.push('status' in r ? `Re-audit: ${r.status}: ${r.reason}` : `Re-audit failed: ${r.error}`);
  lines.push(`Plan hash: ${result.planHash}`);
  return `${lines.join('\n')}\n`;
}
