/**
 * What cis-bot's own identity needs on the drift-alert queue: receive, delete (after the re-audit is
 * recorded), extend the visibility of events that wait for a busy account, and read the queue's
 * attributes at start-up. `cis-bot iam-policy --events` and `cis-bot events setup` print them.
 */
export const EVENTS_QUEUE_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:ReceiveMessage',
] as const;
