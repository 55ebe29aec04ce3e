/**
 * Notification levels, monotonic by construction: a channel at level L shows every item whose level is
 * L or lower. `error` < `info` < `verbose`. (Flowpipe's `== "info"` gate made `verbose` show less than
 * `info`; ranking levels makes that impossible.)
 */
export const LEVELS = ['error', 'info', 'verbose'] as const;
export type NotificationLevel = (typeof LEVELS)[number];

export const DEFAULT_LEVEL: NotificationLevel = 'info';

export function isLevel(value: string): value is NotificationLevel {
  return (LEVELS as readonly string[]).includes(value);
}

/** Does a channel configured at `channel` show an item tagged `item`? */
export function shows(channel: NotificationLevel, item: NotificationLevel): boolean {
  return LEVELS.indexOf(item) <= LEVELS.indexOf(channel);
}
