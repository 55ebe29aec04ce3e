/**
 * The remediation executor: runs a plan's steps in order against AWS. Before every step it re-reads the
 * resource and skips what is already true (a re-run after a partial failure finishes without duplicates);
 * a same-named filter or alarm with other content is overwritten only when the step says it replaces
 * exactly that content, otherwise the step fails as a `Conflict`. It stops at the first failure, naming
 * the step, the AWS error code and a safe message, and always ends with a re-audit whose verdict is part
 * of the result. A subscription that waits for its owner's confirmation is reported as such.
 */
import { PutMetricAlarmCommand, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CisBotError } from '../core/errors';
import type { AccountFinding } from '../core/evaluate/findings';
import type {
  ExecuteOptions,
  FactsRequest,
  RemediationFacts,
  RemediationRuntime,
} from '../core/ports/remediation-runtime';
import {
  alarmSpecOf,
  alarmSpecOfInput,
  describeChanges,
  filterSpecOf,
  filterSpecOfInput,
  sameSpec,
} from '../core/remediation/specs';
import type {
  ExecutionResult,
  ExecutionStatus,
  PendingConfirmation,
  Plan,
  PlanStep,
  StepOutcome,
} from '../core/remediation/types';
import { errorCode, isAccessDenied, safeErrorSummary } from './errors';
import { readAlarm, readFilter, readRemediationFacts, readSubscriptions } from './remediation/read';
import type { AwsClients, ClientFactory } from './session';

/** The resource is not what the plan expects: the step stops instead of overwriting it. */
export class StepConflictError extends CisBotError {
  constructor(message: string) {
    super('Conflict', message);
  }
}

type Done = { status: 'done' | 'skipped'; detail: string; arn?: string };

const q = (s: string) => `'${s}'`;

/**
 * An error message fit for chat and the audit log, one line, bounded: our own messages (conflicts, the
 * role that cannot be assumed), the IAM action for a denial, else only the AWS error code. Never the raw
 * SDK or driver text (principal ARNs, request ids, URLs, paths), never a stack.
 */
export function safeMessage(error: unknown, iamAction?: string): string {
  const raw =
    iamAction !== undefined && isAccessDenied(error)
      ? `access denied: grant ${iamAction} to the role cis-bot uses in this account`
      : safeErrorSummary(error);
  const line = raw.replace(/\s+/g, ' ').trim() || 'no message';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

async function runStep(clients: AwsClients, plan: Plan, step: PlanStep): Promise<Done> {
  const call = step.call;
  switch (call.operation) {
    case 'PutMetricFilter': {
      const input = call.input;
      const desired = filterSpecOfInput(input);
      const current = await readFilter(clients.logs, input.logGroupName, input.filterName);
      if (current) {
        const spec = filterSpecOf(current);
        if (sameSpec(spec, desired)) {
          return {
            status: 'skipped',
            detail: `Filter ${q(input.filterName)} already has this pattern and metric.`,
          };
        }
        if (step.replaces?.kind !== 'metric-filter' || !sameSpec(spec, step.replaces.previous)) {
          throw new StepConflictError(
            `Filter ${q(input.filterName)} on ${input.logGroupName} exists with other content than the plan expects; not overwritten, ask for a new plan. Differences: ${describeChanges(spec, desired)}.`,
          );
        }
      }
      await clients.logs.send(new PutMetricFilterCommand(input));
      return {
        status: 'done',
        detail: current
          ? `Replaced filter ${q(input.filterName)} on ${input.logGroupName}.`
          : `Created filter ${q(input.filterName)} on ${input.logGroupName}.`,
      };
    }
    case 'CreateTopic': {
      const expected = plan.target.topicArn;
      if (expected) {
        try {
          await readSubscriptions(clients.sns, expected);
          return { status: 'skipped', detail: `Topic ${expected} already exists.`, arn: expected };
        } catch (error) {
          const code = errorCode(error);
          if (code !== 'NotFound' && code !== 'NotFoundException') throw error;
        }
      }
      const out = await clients.sns.send(new CreateTopicCommand(call.input));
      const arn = out.TopicArn ?? '';
      if (expected && arn !== expected) {
        throw new StepConflictError(
          `CreateTopic returned ${arn || 'no ARN'}, not the planned topic ${expected}.`,
        );
      }
      return { status: 'done', detail: `Created topic ${arn}.`, arn };
    }
    case 'Subscribe': {
      const input = call.input;
      const subs = await readSubscriptions(clients.sns, input.TopicArn);
      const existing = subs.find((s) => s.protocol === input.Protocol && s.endpoint === input.Endpoint);
      if (existing) {
        return {
          status: 'skipped',
          detail: existing.confirmed
            ? `${input.Endpoint} is already subscribed (confirmed).`
            : `${input.Endpoint} is already subscribed, pending its owner's confirmation.`,
          ...(existing.confirmed ? { arn: existing.arn } : {}),
        };
      }
      const out = await clients.sns.send(new SubscribeCommand(input));
      return {
        status: 'done',
        detail: `Subscribed ${input.Protocol} ${input.Endpoint}.`,
        ...(out.SubscriptionArn ? { arn: out.SubscriptionArn } : {}),
      };
    }
    case 'PutMetricAlarm': {
      const input = call.input;
      const desired = alarmSpecOfInput(input);
      const current = await readAlarm(clients.cloudwatch, input.AlarmName);
      if (current) {
        const spec = alarmSpecOf(current);
        if (sameSpec(spec, desired)) {
          return {
            status: 'skipped',
            detail: `Alarm ${q(input.AlarmName)} already has these settings.`,
            arn: current.arn,
          };
        }
        if (step.replaces?.kind !== 'alarm' || !sameSpec(spec, step.replaces.previous)) {
          throw new StepConflictError(
            `Alarm ${q(input.AlarmName)} exists with other settings than the plan expects; not overwritten, ask for a new plan. Differences: ${describeChanges(spec, desired)}.`,
          );
        }
      }
      // Unit is a value AWS returned for this alarm (carried over), so it is one of its StandardUnits.
      const { Unit, ...rest } = input;
      await clients.cloudwatch.send(
        new PutMetricAlarmCommand({ ...rest, ...(Unit !== undefined ? { Unit: Unit as StandardUnit } : {}) }),
      );
      return {
        status: 'done',
        detail: current ? `Updated alarm ${q(input.AlarmName)}.` : `Created alarm ${q(input.AlarmName)}.`,
      };
    }
    default: {
      const unknown: never = call;
      throw new CisBotError('UNKNOWN_STEP', `unknown plan step ${JSON.stringify(unknown)}`);
    }
  }
}

/** The configured subscription, when it exists but waits for its owner (the topic has no confirmed one). */
async function pendingConfirmations(clients: AwsClients, plan: Plan): Promise<PendingConfirmation[]> {
  const { topicArn, subscription } = plan.target;
  if (!topicArn || !subscription) return [];
  try {
    const subs = await readSubscriptions(clients.sns, topicArn);
    if (subs.some((s) => s.confirmed)) return [];
    return subs
      .filter((s) => s.protocol === subscription.protocol && s.endpoint === subscription.endpoint)
      .map((s) => ({ topicArn, protocol: s.protocol, endpoint: s.endpoint }));
  } catch {
    return [];
  }
}

function statusOf(
  steps: StepOutcome[],
  reaudit: ExecutionResult['reaudit'],
  pending: PendingConfirmation[],
): ExecutionStatus {
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if ('status' in reaudit && reaudit.status === 'COMPLIANT') return 'compliant';
  if (pending.length > 0 && 'status' in reaudit && reaudit.brokenLink === 'subscription')
    return 'awaiting-confirmation';
  return 'not-compliant';
}

async function reauditSafely(reaudit: () => Promise<AccountFinding>): Promise<ExecutionResult['reaudit']> {
  try {
    const f = await reaudit();
    return { status: f.status, reason: f.reason, ...(f.brokenLink ? { brokenLink: f.brokenLink } : {}) };
  } catch (error) {
    return { error: safeMessage(error) };
  }
}

/**
 * Executes `plan` in its target account and region. Resolves with the outcome of every step and the
 * re-audit's verdict; rejects only when `onStep` throws (the caller aborted) or no clients can be had.
 */
export async function executePlan(
  plan: Plan,
  clients: ClientFactory,
  opts: ExecuteOptions,
): Promise<ExecutionResult> {
  const startedAt = new Date().toISOString();
  const aws = clients.clientsFor(plan.target.accountId, plan.target.region);
  const outcomes: StepOutcome[] = [];
  let failedStep: ExecutionResult['failedStep'];
  const total = plan.steps.length;
  for (const [index, step] of plan.steps.entries()) {
    if (failedStep) {
      outcomes.push({
        stepId: step.id,
        title: step.title,
        status: 'not-run',
        detail: `Not run: step ${failedStep.id} failed.`,
      });
      continue;
    }
    await opts.onStep?.({ type: 'step-started', index, total, step });
    let outcome: StepOutcome;
    try {
      const done = await runStep(aws, plan, step);
      outcome = {
        stepId: step.id,
        title: step.title,
        status: done.status,
        detail: done.detail,
        ...(done.arn ? { arn: done.arn } : {}),
      };
    } catch (error) {
      const code = error instanceof StepConflictError ? 'Conflict' : errorCode(error);
      const message = safeMessage(error, step.iamAction);
      failedStep = { id: step.id, title: step.title, ...(code ? { errorCode: code } : {}), message };
      outcome = {
        stepId: step.id,
        title: step.title,
        status: 'failed',
        detail: `${step.call.operation} failed${code ? ` (${code})` : ''}: ${message}`,
        ...(code ? { errorCode: code } : {}),
      };
    }
    outcomes.push(outcome);
    await opts.onStep?.({ type: 'step-finished', index, total, step, outcome });
  }
  const reaudit = await reauditSafely(opts.reaudit);
  const pending = failedStep ? [] : await pendingConfirmations(aws, plan);
  const status = statusOf(outcomes, reaudit, pending);
  return {
    planHash: plan.hash,
    control: plan.control,
    accountId: plan.accountId,
    target: { accountId: plan.target.accountId, region: plan.target.region },
    status,
    steps: outcomes,
    ...(failedStep ? { failedStep } : {}),
    awaitingConfirmation: status === 'awaiting-confirmation' ? pending : [],
    reaudit,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** A ClientFactory that may need to learn its own account first (AwsSession.callerIdentity). */
export type RemediationClients = ClientFactory & { callerIdentity?: () => Promise<unknown> };

/** The core's RemediationRuntime port over AWS (wire it into RemediationWorkflow). */
export function createAwsRemediationRuntime(clients: RemediationClients): RemediationRuntime {
  // AwsSession serves the base account's clients only once it knows that account (after GetCallerIdentity).
  const ready = async () => {
    if (clients.callerIdentity) await clients.callerIdentity().catch(() => undefined);
  };
  return {
    async readFacts(request: FactsRequest): Promise<RemediationFacts> {
      await ready();
      return readRemediationFacts(clients.clientsFor(request.accountId, request.region), request);
    },
    async execute(plan, options) {
      await ready();
      return executePlan(plan, clients, options);
    },
  };
}
