/**
 * The fire drill's port to AWS (src/aws/drill-runtime.ts implements it with the SDK): the few calls a
 * drill makes in the alarm's account and region, each one plain, so the drill (core/drill) decides what
 * to call and what a step that is already done looks like.
 */

/** Where the drill runs: the alarm's account and region. */
export interface DrillTarget {
  accountId: string;
  region: string;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface DrillAlarm {
  name: string;
  arn: string;
  state: AlarmStateValue;
  stateReason: string;
  actionsEnabled: boolean;
  alarmActions: string[];
}

export interface TopicSubscriber {
  /** `PendingConfirmation` for a subscription its owner has not confirmed. */
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
}

export interface ProbeQueue {
  url: string;
  arn: string;
}

/** One item of DescribeAlarmHistory. */
export interface AlarmHistoryEntry {
  at: Date;
  type: string;
  summary: string;
  /** HistoryData as AWS wrote it (JSON text). */
  data: string;
}

export interface ProbeMessage {
  /** When SQS accepted it (SentTimestamp). */
  sentAt: Date;
  body: string;
}

export interface DrillRuntime {
  /** The alarm, or undefined when there is none of that name. */
  readAlarm(target: DrillTarget, alarmName: string): Promise<DrillAlarm | undefined>;
  /** Every subscription of the topic (ListSubscriptionsByTopic, all pages), in the topic's region. */
  listSubscriptions(target: DrillTarget, topicArn: string): Promise<TopicSubscriber[]>;
  /** The queue of that name, or undefined when there is none. */
  findQueue(target: DrillTarget, name: string): Promise<ProbeQueue | undefined>;
  /** Creates the queue with this access policy (JSON). */
  createQueue(target: DrillTarget, name: string, policy: string): Promise<ProbeQueue>;
  /** Subscribes the queue to the topic; the subscription ARN, or `pending confirmation`. */
  subscribe(target: DrillTarget, topicArn: string, queueArn: string): Promise<string>;
  unsubscribe(target: DrillTarget, topicArn: string, subscriptionArn: string): Promise<void>;
  deleteQueue(target: DrillTarget, url: string): Promise<void>;
  setAlarmState(
    target: DrillTarget,
    alarmName: string,
    state: AlarmStateValue,
    reason: string,
  ): Promise<void>;
  /** The alarm's history items (every page) since `since`, oldest first. */
  alarmHistory(target: DrillTarget, alarmName: string, since: Date): Promise<AlarmHistoryEntry[]>;
  /**
   * Messages waiting in the queue, long-polling up to `waitSeconds` (0..20). They are left in the queue
   * and stay visible, so a drill resumed after a crash still finds what was delivered.
   */
  receive(target: DrillTarget, url: string, waitSeconds: number): Promise<ProbeMessage[]>;
}
