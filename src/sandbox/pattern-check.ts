/**
 * The sandbox's one door to filter-pattern logic: validation for PutMetricFilter and evaluation for
 * TestMetricFilter, both delegated to the project's engine in src/core/filter-pattern, so the sandbox
 * accepts, rejects and matches exactly what the bot's own analysis does.
 */
import { matchesEvent, type Pattern, PatternSyntaxError, parsePattern } from '../core/filter-pattern';

/** An AWS-style error message when the pattern is invalid, else undefined. */
export function validatePattern(text: string): string | undefined {
  try {
    parsePattern(text);
    return undefined;
  } catch (error) {
    if (error instanceof PatternSyntaxError) return error.message;
    throw error;
  }
}

/** The 1-based numbers of the messages the pattern matches (TestMetricFilter's eventNumber). */
export function testPattern(text: string, messages: string[]): number[] {
  const pattern: Pattern = parsePattern(text);
  const out: number[] = [];
  messages.forEach((message, i) => {
    if (matchesEvent(pattern, message)) out.push(i + 1);
  });
  return out;
}
