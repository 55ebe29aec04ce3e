/**
 * Drift alerts (pure part): reading the queue's CloudTrail events (change-event.ts) and deciding what is
 * news (alert.ts). The poller and the re-audit that use them are infrastructure (src/events).
 */
export { alertLevel, changesFor, type DriftAlert, isNews } from './alert';
export {
  breakingIndex,
  type ChainChange,
  type IgnoredCategory,
  type ParsedMessage,
  parseChangeMessage,
} from './change-event';
export { EVENTS_QUEUE_ACTIONS } from './queue-actions';
export { chainEventPattern, type EventsSetupOptions, eventsSetupDocument } from './setup-document';
