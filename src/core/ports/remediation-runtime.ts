/**
 * The remediation runtime port: how the platform-neutral remediation reads what it needs beyond the audit
 * snapshot and executes an approved plan (src/aws/executor.ts implements it with the SDK).
 */
import type { AccountFinding } from '../evaluate/findings';
import type { ExecutionEvent, ExecutionResult, Plan } from '../remediation/types';
import type { Alarm, Probe, TopicSnapshot } from '../snapshot';

/**
 * What the planner needs to know beyond the snapshot (the collector only reads alarms of covering
 * filters' metrics and topics named by candidate alarms): the bot's alarm by name, and its topic.
 */
export interface FactsRequest {
  accountId: string;
  region: string;
  alarmNames: string[];
  topicArns: string[];
  /**
   * Alarm names (among `alarmNames`) whose SNS AlarmActions in this account and region are read too, in a
   * second round once the alarms are read: the bot-named alarm may already notify a topic worth reusing
   * that the audit did not read (it reads topics only of alarms on covering filters' metrics).
   */
  alarmTopicsOf?: string[];
}

export interface RemediationFacts {
  /** Keyed by alarm name; `null` when no alarm of that name exists. A missing key means unknown. */
  alarms: Record<string, Probe<Alarm | null>>;
  /** Keyed by topic ARN; `attributes` not-found when the topic does not exist. */
  topics: Record<string, TopicSnapshot>;
}

export const NO_FACTS: RemediationFacts = { alarms: {}, topics: {} };

export interface ExecuteOptions {
  /** Called before and after every step; a throwing callback aborts the execution (the promise rejects). */
  onStep?: (event: ExecutionEvent) => void | Promise<void>;
  /** Audits the account again after the steps (the verdict goes into the result). */
  reaudit: () => Promise<AccountFinding>;
}

/** The runtime port: how the platform-neutral workflow reads extra facts and executes plans. */
export interface RemediationRuntime {
  readFacts(request: FactsRequest): Promise<RemediationFacts>;
  execute(plan: Plan, options: ExecuteOptions): Promise<ExecutionResult>;
}
