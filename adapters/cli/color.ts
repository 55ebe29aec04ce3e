/**
 * Colour in the CLI's text output, as people expect of a terminal tool: `--color` forces it, `--no-color`
 * or a non-empty NO_COLOR (https://no-color.org) turns it off, and otherwise it is on only when stdout is
 * a terminal (never in a pipe, a file or CI logs). Colour marks what the eye looks for (a link's ✓ pass,
 * ✗ FAIL, ! ERROR, ~ warn; NON-COMPLIANT and compliant headings) in the text the renderer already made,
 * so the words stay the same with and without it and JSON output never has any.
 */
import { styleText } from 'node:util';
import { LINK_MARK, STATUS_WORD } from '../../src/core/present/audit-cards';

/** Whether to colour: `flag` is --color (true) / --no-color (false), undefined when neither was given. */
export function colorWanted(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty;
}

type Style = Parameters<typeof styleText>[0];

const MARKS: ReadonlyArray<[string, Style]> = [
  [LINK_MARK.pass, 'green'],
  [LINK_MARK.fail, ['red', 'bold']],
  [LINK_MARK.error, ['magenta', 'bold']],
  [LINK_MARK.warn, 'yellow'],
  [STATUS_WORD.NON_COMPLIANT, ['red', 'bold']],
];

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PATTERN = new RegExp(MARKS.map(([word]) => literal(word)).join('|'), 'g');
const STYLE = new Map(MARKS);

/** The same text with its status marks coloured (ANSI escapes). */
export function colorize(text: string): string {
  // validateStream: false because the caller already decided (styleText would look at process.stdout).
  return text.replace(PATTERN, (word) =>
    styleText(STYLE.get(word) ?? 'reset', word, { validateStream: false }),
  );
}
