/**
 * judgeForControl remembers its answer per control and filter text (src/core/evaluate/control-filter.ts):
 * the same text from another account gets the very same judgement, equal to deciding it afresh; a
 * judgement that ran out of time is never remembered, so a filter cut short in one busy pass is decided
 * again with its full budget on a later turn, as judgeFilter promises.
 */
import { getMetricFilterControl } from '../../src/core/controls';
import { judgeForControl } from '../../src/core/evaluate/control-filter';
import { judgeFilter } from '../../src/core/evaluate/filter-judge';
import { HAD_FULL_300_MS } from '../filter-pattern/helpers';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const hostile = (n: number) => `{ $.eventName = %[a-z]{0,1000}b{${900 + n}}% }`;
const V12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';

test('the same filter text in another account gets the same judgement, equal to a fresh decision', () => {
  const control = { ...getMetricFilterControl('4.1') };
  const first = judgeForControl(V12, control);
  const again = judgeForControl(`${V12} `.trimEnd(), control); // an equal string, another object
  expect(again).toBe(first);
  expect(first.judgement).toEqual(judgeFilter(V12, control.pattern, control.benignEvents));
  expect(first.judgement).toMatchObject({ verdict: 'BROADER', covers: true });
});

test('a judgement cut short by a busy pass is not remembered: decided again later with its full budget', async () => {
  const control = { ...getMetricFilterControl('4.1') };
  const pass = Array.from(
    { length: 8 },
    (_, i) => [hostile(i), judgeForControl(hostile(i), control)] as const,
  );
  const cutShort = pass.filter(([, j]) => j.judgement.note?.includes('was used up by other filters'));
  expect(cutShort.length).toBeGreaterThan(0);
  await nextTurn();
  const [pattern] = cutShort[cutShort.length - 1] as (typeof pass)[number];
  expect(judgeForControl(pattern, control).judgement.note).toMatch(HAD_FULL_300_MS);
});
