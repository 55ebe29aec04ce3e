/**
 * Fire drills as neutral cards: the request (what will fire, the warning that the topic's subscribers
 * will really be notified, Approve/Reject with the approval id), the request once decided, one line per
 * step in the thread, and the result: what was proven, or exactly where the chain broke with the fix,
 * and anything the cleanup left behind with the command that removes it.
 */
import type { Card, CardElement } from '../cards';
import type { DrillEvent, DrillOutcome, DrillPlan, DrillStepId } from '../drill/types';
import { ACTION_APPROVE, ACTION_REJECT } from '../ports/chat';
import type { Approval } from '../ports/store';

const MAX_TEXT = 2900;
const clip = (text: string, max = MAX_TEXT) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const utc = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

function subscriberText(drill: DrillPlan): string {
  if (drill.subscribers.length === 0) return 'none confirmed';
  const shown = drill.subscribers.slice(0, 10).map((s) => `${s.protocol} ${s.endpoint}`);
  const more = drill.subscribers.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function drillElements(drill: DrillPlan): CardElement[] {
  const n = drill.subscribers.length;
  return [
    { type: 'heading', text: `Fire drill of the CIS ${drill.control} alarm in account ${drill.accountId}` },
    {
      type: 'text',
      text: clip(
        `The drill sets ${drill.alarmName} to ALARM (StateReason: a drill requested by ${drill.requestedBy.displayName ?? drill.requestedBy.userId}), checks in the alarm history that its action ran, waits up to ${drill.waitSeconds} s for SNS to deliver to a temporary probe queue, then removes the probe and resets the alarm to OK.`,
      ),
    },
    {
      type: 'text',
      text: clip(
        `Warning: this is not a simulation. The topic's ${n} confirmed subscriber${n === 1 ? '' : 's'} will really be notified (${subscriberText(drill)}); tell them first.`,
      ),
    },
    {
      type: 'fields',
      fields: [
        { label: 'Alarm', value: drill.alarmName },
        { label: 'Region', value: drill.region },
        { label: 'Topic', value: drill.topicArn },
        { label: 'Notified for real', value: String(n) },
      ],
    },
  ];
}

/** The drill's approval request; with an approval in state `requested`, Approve and Reject buttons. */
export function drillRequestCard(drill: DrillPlan, approval?: Approval): Card {
  const elements = drillElements(drill);
  if (approval?.state === 'requested') {
    elements.push({
      type: 'actions',
      buttons: [
        {
          id: ACTION_APPROVE,
          label: 'Approve and run the drill',
          style: 'primary',
          value: approval.id,
          confirm: {
            title: 'Run this fire drill?',
            text: clip(
              `${drill.alarmName} goes to ALARM and ${drill.subscribers.length} subscriber(s) of ${drill.topicArn} are really notified.`,
              300,
            ),
            confirm: 'Run it',
            deny: 'Cancel',
          },
        },
        { id: ACTION_REJECT, label: 'Reject', style: 'danger', value: approval.id },
      ],
    });
    elements.push({ type: 'context', text: `Approval ${approval.id}; expires ${utc(approval.expiresAt)}` });
  }
  return {
    summary: `CIS ${drill.control}: fire drill of ${drill.alarmName} in account ${drill.accountId} awaits approval (${drill.subscribers.length} subscriber(s) will be notified)`,
    elements,
  };
}

export function decidedDrillCard(drill: DrillPlan, approval: Approval): Card {
  const who = approval.decidedBy?.displayName ?? approval.decidedBy?.userId ?? 'someone';
  const verb = approval.state === 'rejected' ? 'Rejected' : 'Approved';
  return {
    summary: `${verb} by ${who}: fire drill of CIS ${drill.control} in account ${drill.accountId}`,
    elements: [
      ...drillElements(drill),
      { type: 'context', text: `${verb} by ${who} at ${utc(approval.decidedAt ?? approval.updatedAt)}` },
    ],
  };
}

const STEP_TITLE: Record<DrillStepId, string> = {
  'account-lease': 'Account lease',
  'probe-queue': 'Probe queue',
  'probe-subscription': 'Probe subscription',
  fire: 'Alarm to ALARM',
  'alarm-action': 'Alarm action',
  delivery: 'SNS delivery',
  unsubscribe: 'Cleanup: subscription',
  'delete-queue': 'Cleanup: probe queue',
  'reset-alarm': 'Cleanup: alarm to OK',
};

export function drillStepLine(event: DrillEvent): string {
  const { step, status, detail } = event.outcome;
  return `${STEP_TITLE[step]}: ${status}. ${detail}`;
}

export function drillProgressCard(event: DrillEvent): Card {
  const line = clip(drillStepLine(event));
  return { summary: line, elements: [{ type: 'text', text: line }] };
}

/** What the drill proved, in one sentence. */
export function provenSentence(outcome: DrillOutcome): string {
  const { drill } = outcome;
  const fired = outcome.firedAt ? utc(outcome.firedAt) : 'an unknown time';
  const delivered = outcome.delivery
    ? `SNS delivered to the probe queue ${(outcome.delivery.latencyMs / 1000).toFixed(1)} s later`
    : 'SNS delivered to the probe queue';
  const others = `${outcome.notified} confirmed subscriber${outcome.notified === 1 ? ' was' : 's were'} notified too`;
  return `The alarm ${drill.alarmName} fired at ${fired}, ${delivered}; ${others}.`;
}

export function drillResultCard(outcome: DrillOutcome): Card {
  const { drill } = outcome;
  const elements: CardElement[] = [
    { type: 'heading', text: `Fire drill of CIS ${drill.control} in account ${drill.accountId}` },
  ];
  let summary: string;
  if (outcome.verdict === 'proven') {
    const sentence = provenSentence(outcome);
    elements.push({ type: 'text', text: clip(`Proven: ${sentence}`) });
    summary = `CIS ${drill.control} drill, account ${drill.accountId}: proven. ${sentence}`;
  } else {
    const broke = outcome.broke;
    const where = outcome.verdict === 'broken' ? `Broken at ${broke?.link ?? 'an unknown link'}` : 'Not run';
    elements.push({ type: 'text', text: clip(`${where}: ${broke?.detail ?? 'the drill proved nothing'}`) });
    if (broke && broke.fix.length > 0) {
      elements.push({ type: 'text', text: 'Fix:' });
      for (const line of broke.fix) elements.push({ type: 'text', text: clip(line), monospace: true });
    }
    summary = `CIS ${drill.control} drill, account ${drill.accountId}: ${where.toLowerCase()}: ${clip(broke?.detail ?? '', 200)}`;
  }
  if (outcome.cleanup.complete) {
    elements.push({
      type: 'context',
      text: 'Cleaned up: the probe subscription and queue are removed and the alarm is back to OK (unless it was not left in ALARM by the drill).',
    });
  } else {
    elements.push({
      type: 'text',
      text: 'The cleanup could not remove everything. Left behind, and how to remove it:',
    });
    for (const left of outcome.cleanup.leftovers) {
      elements.push({ type: 'text', text: clip(left.what) });
      elements.push({ type: 'text', text: clip(left.command), monospace: true });
    }
    summary += ` Cleanup incomplete: ${outcome.cleanup.leftovers.map((l) => l.what).join('; ')}`;
  }
  elements.push({ type: 'context', text: `Drill ${outcome.approvalId}` });
  return { summary: clip(summary, 300), elements };
}
