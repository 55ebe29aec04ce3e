/**
 * Issue 13's `events setup` document, as the writers' tests read it: the real generator
 * (src/core/drift/setup-document.ts) for one account, the queue in HUB. events-setup-example.test.ts
 * checks what both writers make of it (one region, or several forwarding to one bus).
 */
import { chainEventPattern, eventsSetupDocument as setupDocument } from '../../src/core/drift';
import type { IacDocument, JsonValue } from '../../src/core/iac';

export const ACCOUNT = '123456789012';
/** The region of the queue, where the other regions' rules forward their events. */
export const HUB = 'eu-west-2';

/** CloudTrail management events of every call that can break a link of a registered control. */
export const PATTERN: JsonValue = chainEventPattern();

export function eventsSetupDocument(regions: readonly string[]): IacDocument {
  return setupDocument({ accountId: ACCOUNT, hubRegion: HUB, regions });
}
