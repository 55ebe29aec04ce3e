/**
 * The rules an exception request must meet before anything is stored or asked (issue 14): a reason, and
 * an `--until` date that is a real calendar date, not in the past, and at most `exceptions.max_days` days
 * ahead (default 365). Dates are UTC days; an exception is valid through its `until` day and stops
 * applying at the start of the next one. Pure.
 */
import { UsageError } from '../errors';
import type { ExceptionDeviation } from '../ports/store';
/** What is approved, content-addressed: the terms, and the exact filter of a deviation. */
export interface ExceptionTerms {
  control: string;
  accountId: string;
  reason: string;
  until: string;
  expiresAt: string;
  deviation?: ExceptionDeviation;
}

export const UNTIL_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_REASON_CHARS = 500;

/** Today's date (UTC) as YYYY-MM-DD. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** The instant an exception valid through `until` stops applying: the start of the next UTC day. */
export function expiryOf(until: string): string {
  return new Date(Date.parse(`${until}T00:00:00.000Z`) + DAY_MS).toISOString();
}

/** `until` checked against the rules at `now`; throws a UsageError that states the rule. */
export function checkUntil(until: string, now: Date, maxDays: number): string {
  const m = UNTIL_FORMAT.exec(until);
  const date = m ? new Date(`${until}T00:00:00.000Z`) : undefined;
  if (!m || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== until) {
    throw new UsageError(`--until takes a date as YYYY-MM-DD (UTC), e.g. 2027-03-31; got "${until}".`);
  }
  const today = utcDay(now);
  const latest = utcDay(new Date(Date.parse(`${today}T00:00:00.000Z`) + maxDays * DAY_MS));
  if (until < today) {
    throw new UsageError(
      `--until ${until} is in the past: an exception must last until today (${today}) or later, and at most ${maxDays} days ahead (${latest}).`,
    );
  }
  if (until > latest) {
    throw new UsageError(
      `--until ${until} is more than ${maxDays} days away: the latest allowed is ${latest} (exceptions.max_days is ${maxDays}).`,
    );
  }
  return until;
}

/** The reason, trimmed; refused when empty or longer than MAX_REASON_CHARS. */
export function checkReason(reason: string | undefined): string {
  const text = (reason ?? '').trim();
  if (text === '') {
    throw new UsageError(
      'An exception needs --reason "why this failure is accepted" (who reads it later needs it).',
    );
  }
  if (text.length > MAX_REASON_CHARS) {
    throw new UsageError(`--reason is ${text.length} characters; keep it to ${MAX_REASON_CHARS}.`);
  }
  return text;
}
