/**
 * The one error the filter-pattern parser throws: names the character position (0-based, in the
 * original text) and what the parser expected there, so a person writing a pattern can fix it.
 */
import { CisBotError } from '../errors';

export class PatternSyntaxError extends CisBotError {
  readonly position: number;
  readonly expected: string;
  constructor(position: number, expected: string, found?: string) {
    const where = `at position ${position}`;
    const what = found === undefined ? '' : found === '' ? ', found end of pattern' : `, found ${found}`;
    super('PATTERN_SYNTAX', `Invalid filter pattern ${where}: expected ${expected}${what}`);
    this.position = position;
    this.expected = expected;
  }
}
