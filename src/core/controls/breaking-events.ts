/**
 * Which CloudTrail events can break which control and link, derived from the records' `breakingCalls`
 * (for a chain control, the shared CHAIN_BREAKING_CALLS). The drift alerts (issue 13) build their
 * EventBridge rule from `breakingEvents()` and map each received event with `linksBrokenBy()`; there is
 * no second list to keep in step.
 */
import { CONTROLS } from './registry';
import type { Control } from './types';

/** One control's link that a call can break, and how. */
export interface BrokenLink {
  control: string;
  link: string;
  why: string;
}

/** An API call, as CloudTrail records it, with everything it can break among the given controls. */
export interface BreakingEvent {
  eventSource: string;
  eventName: string;
  /** Made in the organization's management account: it can affect every member account. */
  organizationWide: boolean;
  affects: BrokenLink[];
}

const keyOf = (eventSource: string, eventName: string) => `${eventSource} ${eventName}`;

/**
 * Every (eventSource, eventName) that can break a link of one of `controls` (default: the whole
 * registry), once each, sorted by source then name, with the controls and links it affects in registry
 * and chain order.
 */
export function breakingEvents(controls: Iterable<Control> = CONTROLS.values()): BreakingEvent[] {
  const byKey = new Map<string, BreakingEvent>();
  for (const control of controls) {
    for (const [link, calls] of Object.entries(control.breakingCalls)) {
      for (const call of calls) {
        const key = keyOf(call.eventSource, call.eventName);
        let event = byKey.get(key);
        if (!event) {
          event = {
            eventSource: call.eventSource,
            eventName: call.eventName,
            organizationWide: false,
            affects: [],
          };
          byKey.set(key, event);
        }
        event.organizationWide ||= call.organizationWide === true;
        event.affects.push({ control: control.id, link, why: call.why });
      }
    }
  }
  return [...byKey.values()].sort(
    (a, b) => a.eventSource.localeCompare(b.eventSource) || a.eventName.localeCompare(b.eventName),
  );
}

/** The controls' links one CloudTrail event can break; empty when it breaks none. */
export function linksBrokenBy(
  event: { eventSource: string; eventName: string },
  controls: Iterable<Control> = CONTROLS.values(),
): BrokenLink[] {
  const key = keyOf(event.eventSource, event.eventName);
  return breakingEvents(controls).find((e) => keyOf(e.eventSource, e.eventName) === key)?.affects ?? [];
}
