/**
 * Remediation as neutral cards, for the chat adapters: the plan with Approve/Reject buttons (value = the
 * approval id; the hash is shown because it is what an approver approves), the plan once decided (its
 * buttons give way to who decided and when), a progress line per step, and the result with the re-audit
 * verdict and any pending confirmation. Texts stay under Slack's 3000-character section limit; the
 * adapters' renderers do the rest.
 */
import type { Card, CardElement } from '../cards';
import { ACTION_APPROVE, ACTION_REJECT, ACTION_SHOW_IAC } from '../ports/chat';
import type { Approval } from '../ports/store';
import { unresolvedBlockers } from '../remediation/plan-assembly';
import { renderStepOutcome } from '../remediation/render';
import type { ExecutionEvent, ExecutionResult, Plan } from '../remediation/types';

const MAX_TEXT = 2900;
const clip = (text: string, max = MAX_TEXT) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function guidanceElements(plan: Plan): CardElement[] {
  if (plan.guidance.length === 0) return [];
  return [
    { type: 'divider' },
    {
      type: 'table',
      columns: ['', 'Guidance'],
      rows: plan.guidance.map((g) => [
        g.severity === 'blocker'
          ? 'action needed'
          : g.severity === 'awaiting-confirmation'
            ? 'awaiting confirmation'
            : 'note',
        clip(`${g.title}: ${g.detail}`, 1000),
      ]),
    },
  ];
}

/** The plan card; with an approval in state `requested`, Approve and Reject buttons carry its id. */
export function planCard(plan: Plan, approval?: Approval): Card {
  const where = `account ${plan.target.accountId}, ${plan.target.region}`;
  const elements: CardElement[] = [
    { type: 'heading', text: `CIS ${plan.control} remediation plan for account ${plan.accountId}` },
    { type: 'text', text: clip(plan.finding.reason) },
  ];
  const blocked = unresolvedBlockers(plan)
    .map((g) => g.title)
    .join('; ');
  if (plan.steps.length > 0 && blocked) {
    elements.push({
      type: 'text',
      text: clip(
        `Not offered for approval: these steps alone cannot make the account compliant (${blocked}). Do the action needed below, then ask for a new plan.`,
      ),
    });
  }
  if (plan.steps.length > 0) {
    elements.push({
      type: 'fields',
      fields: [
        { label: 'Target', value: where },
        { label: 'Steps', value: String(plan.steps.length) },
        { label: 'Plan hash', value: plan.hash.slice(0, 16) },
        ...(approval ? [{ label: 'Expires', value: approval.expiresAt }] : []),
      ],
    });
    plan.steps.forEach((step, i) => {
      elements.push({ type: 'text', text: clip(`${i + 1}. ${step.title} (needs ${step.iamAction})`) });
      elements.push({ type: 'text', text: clip(step.cli), monospace: true });
    });
  }
  elements.push(...guidanceElements(plan));
  if (approval?.state === 'requested') {
    elements.push({
      type: 'actions',
      buttons: [
        {
          id: ACTION_APPROVE,
          label: 'Approve and run',
          style: 'primary',
          value: approval.id,
          confirm: {
            title: 'Run this remediation?',
            text: clip(`${plan.steps.length} change(s) in ${where} (plan ${plan.hash.slice(0, 16)}).`, 300),
            confirm: 'Run it',
            deny: 'Cancel',
          },
        },
        { id: ACTION_REJECT, label: 'Reject', style: 'danger', value: approval.id },
      ],
    });
    elements.push({
      type: 'actions',
      buttons: [
        {
          id: ACTION_SHOW_IAC,
          label: 'Show as Terraform',
          style: 'default',
          value: JSON.stringify({ hash: plan.hash, format: 'terraform' }),
        },
        {
          id: ACTION_SHOW_IAC,
          label: 'Show as CloudFormation',
          style: 'default',
          value: JSON.stringify({ hash: plan.hash, format: 'cloudformation' }),
        },
      ],
    });
    elements.push({ type: 'context', text: `Approval ${approval.id}; full plan hash ${plan.hash}` });
  }
  const summary =
    plan.steps.length > 0 && blocked
      ? `CIS ${plan.control}: remediation for account ${plan.accountId} needs action first: ${clip(blocked, 200)}`
      : plan.steps.length > 0
        ? `CIS ${plan.control}: ${plan.steps.length}-step remediation plan for account ${plan.accountId} awaits approval`
        : `CIS ${plan.control}: nothing cis-bot can change for account ${plan.accountId}`;
  return { summary, elements };
}

/** The plan card once decided: the same plan, without buttons, ending with the decision. */
export function decidedPlanCard(plan: Plan, approval: Approval): Card {
  const who = approval.decidedBy?.displayName ?? approval.decidedBy?.userId ?? 'someone';
  const verb = approval.state === 'rejected' ? 'Rejected' : 'Approved';
  const when = (approval.decidedAt ?? approval.updatedAt)
    .replace('T', ' ')
    .replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  const card = planCard(plan);
  return {
    summary: `${verb} by ${who}: remediation of CIS ${plan.control} in account ${plan.accountId}`,
    elements: [...card.elements, { type: 'context', text: `${verb} by ${who} at ${when}` }],
  };
}

/** One progress line (post it in the thread as steps finish). */
export function progressCard(event: ExecutionEvent): Card | undefined {
  if (event.type !== 'step-finished') return undefined;
  const line = renderStepOutcome(event.outcome, event.index, event.total);
  return { summary: clip(line, 300), elements: [{ type: 'context', text: clip(line) }] };
}

export function resultCard(result: ExecutionResult): Card {
  const r = result.reaudit;
  const verdict = 'status' in r ? `${r.status}: ${r.reason}` : `re-audit failed: ${r.error}`;
  const headline: Record<ExecutionResult['status'], string> = {
    compliant: `CIS ${result.control} fixed for account ${result.accountId}: the re-audit says COMPLIANT`,
    'awaiting-confirmation': `CIS ${result.control} for account ${result.accountId}: done, awaiting confirmation of the subscription`,
    'not-compliant': `CIS ${result.control} for account ${result.accountId}: steps done, but still not compliant`,
    failed: `CIS ${result.control} remediation for account ${result.accountId} stopped: step ${result.failedStep?.id ?? '?'} failed`,
  };
  const elements: CardElement[] = [
    { type: 'heading', text: headline[result.status] },
    {
      type: 'table',
      columns: ['Step', 'Result'],
      rows: result.steps.map((s) => [s.title.slice(0, 120), clip(`${s.status}: ${s.detail}`, 500)]),
    },
  ];
  for (const p of result.awaitingConfirmation) {
    elements.push({
      type: 'text',
      text: `${p.endpoint} must confirm its ${p.protocol} subscription to ${p.topicArn} (SNS sent a confirmation message). The next audit picks it up.`,
    });
  }
  elements.push({ type: 'context', text: clip(`Re-audit: ${verdict}`) });
  return { summary: headline[result.status], elements };
}

/** The longest code text in one element: under Slack's 3000-character section with its fences. */
const CODE_CHUNK = 2800;

/** Splits a template into texts of whole lines, each within the limit (a longer line is cut). */
function codeChunks(body: string): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of body.replace(/\n$/, '').split('\n')) {
    for (let rest = line; ; ) {
      const piece = rest.slice(0, CODE_CHUNK);
      const next = current === '' ? piece : `${current}\n${piece}`;
      if (next.length > CODE_CHUNK) {
        chunks.push(current);
        current = piece;
      } else current = next;
      rest = rest.slice(CODE_CHUNK);
      if (rest === '') break;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/**
 * A plan's template, for the thread: the file name and what it holds, then the text in code blocks of
 * whole lines (each within a Block Kit section and an Adaptive Card text block).
 */
export function iacCard(plan: Plan, file: { fileName: string; label: string; body: string }): Card {
  return {
    summary: `CIS ${plan.control} plan for account ${plan.accountId} as ${file.label}: ${file.fileName}`,
    elements: [
      {
        type: 'heading',
        text: `${file.fileName}: the CIS ${plan.control} plan for account ${plan.accountId} as ${file.label}`,
      },
      ...codeChunks(file.body).map((text) => ({ type: 'text' as const, text, monospace: true })),
      {
        type: 'context',
        text: `Only the resources the plan would create, with its names and settings; what exists is referenced. Plan ${plan.hash.slice(0, 16)}. Apply it with your own pipeline: nothing was changed.`,
      },
    ],
  };
}
