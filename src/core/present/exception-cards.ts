/**
 * The cards of accepted exceptions (issue 14): the request with Approve/Reject (the same buttons as a
 * remediation, carrying the approval id), the request once decided, the granted exception with its
 * Revoke button, the list (`exceptions`), and a revocation. A named deviation shows the accepted filter
 * pattern and the event the filter-pattern engine found it misses.
 */
import type { Card, CardElement } from '../cards';
import type { ExceptionTerms } from '../exceptions/terms';
import { ACTION_APPROVE, ACTION_REJECT, ACTION_REVOKE_EXCEPTION } from '../ports/chat';
import type { ActorRef, Approval, ExceptionDeviation, ExceptionRecord } from '../ports/store';

const MAX_TEXT = 2500;
const clip = (text: string, max = MAX_TEXT) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const who = (a: ActorRef | undefined) => (a ? (a.displayName ?? a.userId) : 'someone');

function deviationElements(deviation: ExceptionDeviation | undefined): CardElement[] {
  if (!deviation) return [];
  return [
    {
      type: 'text',
      text: `Named deviation: only metric filter '${deviation.filterName}' with exactly this pattern is accepted (it stops applying if the filter changes):`,
    },
    { type: 'text', text: clip(deviation.filterPattern, 1000), monospace: true },
    { type: 'text', text: "An event CIS requires that this filter does not catch (the engine's witness):" },
    { type: 'text', text: clip(JSON.stringify(deviation.witness), 1000), monospace: true },
  ];
}

function termsFields(terms: Pick<ExceptionTerms, 'control' | 'accountId' | 'until' | 'reason'>): CardElement {
  return {
    type: 'fields',
    fields: [
      { label: 'Control', value: `CIS ${terms.control}` },
      { label: 'Account', value: terms.accountId },
      { label: 'Until', value: `${terms.until} (last valid day, UTC)` },
      { label: 'Reason', value: clip(terms.reason, 500) },
    ],
  };
}

/** The request: what would be accepted; Approve/Reject while it is open, the decision once decided. */
export function exceptionRequestCard(terms: ExceptionTerms, approval: Approval): Card {
  const what = `CIS ${terms.control} on account ${terms.accountId} until ${terms.until}`;
  const elements: CardElement[] = [
    { type: 'heading', text: `Exception requested: accept ${what}` },
    termsFields(terms),
    ...deviationElements(terms.deviation),
    { type: 'context', text: `Requested by ${who(approval.requestedBy)}; approval ${approval.id}` },
  ];
  if (approval.state === 'requested') {
    elements.push({
      type: 'actions',
      buttons: [
        {
          id: ACTION_APPROVE,
          label: 'Approve exception',
          style: 'primary',
          value: approval.id,
          confirm: {
            title: 'Accept this failure?',
            text: clip(`The audit will show ${what} as ACCEPTED: ${terms.reason}`, 300),
            confirm: 'Accept it',
            deny: 'Cancel',
          },
        },
        { id: ACTION_REJECT, label: 'Reject', style: 'danger', value: approval.id },
      ],
    });
    return { summary: `Exception for ${what} awaits approval (expires ${approval.expiresAt})`, elements };
  }
  const verb =
    approval.state === 'rejected' ? 'Rejected' : approval.state === 'expired' ? 'Expired' : 'Approved';
  elements.push({
    type: 'context',
    text: `${verb} by ${who(approval.decidedBy)} at ${approval.decidedAt ?? approval.updatedAt}`,
  });
  return { summary: `${verb} by ${who(approval.decidedBy)}: exception for ${what}`, elements };
}

function revokeButton(exception: ExceptionRecord): CardElement {
  return {
    type: 'actions',
    buttons: [
      {
        id: ACTION_REVOKE_EXCEPTION,
        label: 'Revoke',
        style: 'danger',
        value: exception.id,
        confirm: {
          title: 'Revoke this exception?',
          text: clip(
            `CIS ${exception.control} on account ${exception.accountId} fails again from the next audit.`,
            300,
          ),
          confirm: 'Revoke',
          deny: 'Cancel',
        },
      },
    ],
  };
}

/** The exception once stored: ACCEPTED from the next audit, with who, why, until when, and Revoke. */
export function exceptionGrantedCard(exception: ExceptionRecord): Card {
  const summary = `CIS ${exception.control} on account ${exception.accountId} is ACCEPTED until ${exception.until} (approved by ${who(exception.approvedBy)})`;
  return {
    summary,
    elements: [
      { type: 'heading', text: summary },
      termsFields(exception),
      ...deviationElements(exception.deviation),
      { type: 'context', text: `Exception ${exception.id}, requested by ${who(exception.requestedBy)}` },
      revokeButton(exception),
    ],
  };
}

/** The exceptions in force (and those expiring soon first), each with Revoke. */
export function exceptionListCard(exceptions: readonly ExceptionRecord[], today: string): Card {
  if (exceptions.length === 0) {
    return {
      summary: 'No accepted exceptions are in force.',
      elements: [
        {
          type: 'text',
          text: 'No accepted exceptions are in force. Ask for one with: <control> except --account ID --reason "…" --until YYYY-MM-DD',
        },
      ],
    };
  }
  const sorted = [...exceptions].sort((a, b) => a.until.localeCompare(b.until) || a.id.localeCompare(b.id));
  const elements: CardElement[] = [
    { type: 'heading', text: `${exceptions.length} accepted exception(s) in force (as of ${today})` },
  ];
  for (const e of sorted) {
    elements.push(
      {
        type: 'text',
        text: clip(
          `CIS ${e.control} · account ${e.accountId} · until ${e.until} · approved by ${who(e.approvedBy)} (requested by ${who(e.requestedBy)})${e.deviation ? ` · deviation: filter '${e.deviation.filterName}'` : ''}: ${e.reason}`,
        ),
      },
      revokeButton(e),
    );
  }
  return { summary: `${exceptions.length} accepted exception(s) in force`, elements };
}

export function exceptionRevokedCard(exception: ExceptionRecord): Card {
  const summary = `Exception ${exception.id} revoked by ${who(exception.revokedBy)}: CIS ${exception.control} on account ${exception.accountId} fails again from the next audit`;
  return { summary, elements: [{ type: 'text', text: summary }, termsFields(exception)] };
}
