/**
 * The pace of progress in chat: at most one render per interval, never two at once, the newest card
 * winning, nothing before `firstAfterMs`, and nothing after close() (which waits for a render in
 * flight, so the result put in place afterwards is never overwritten). Fake timers drive the clock.
 */
import type { Card } from '../../src/core/cards';
import { throttleProgress } from '../../src/core/progress-throttle';

const card = (n: number): Card => ({ summary: `p${n}`, elements: [] });

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

describe('throttleProgress', () => {
  it('renders the newest card at most once per interval', async () => {
    const shown: Array<[string, number]> = [];
    const paced = throttleProgress(
      async (c) => {
        shown.push([c.summary, Date.now() - 1_000_000]);
      },
      { intervalMs: 1000 },
    );
    for (let i = 1; i <= 50; i++) {
      paced.push(card(i));
      await jest.advanceTimersByTimeAsync(100); // 50 events over 5 s
    }
    await jest.advanceTimersByTimeAsync(2000);
    expect(shown.map(([s]) => s)).toEqual(['p1', 'p10', 'p20', 'p30', 'p40', 'p50']);
    const gaps = shown.slice(1).map(([, t], i) => t - (shown[i] as [string, number])[1]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000);
  });

  it('shows nothing before firstAfterMs: a quick command answers with its result alone', async () => {
    const shown: string[] = [];
    const paced = throttleProgress(async (c) => void shown.push(c.summary), {
      intervalMs: 1000,
      firstAfterMs: 2000,
    });
    paced.push(card(1));
    await jest.advanceTimersByTimeAsync(1500);
    expect(shown).toEqual([]);
    paced.push(card(2));
    await jest.advanceTimersByTimeAsync(600);
    expect(shown).toEqual(['p2']);
    await paced.close();
  });

  it('never renders two at once, waits for the one in flight on close, then drops what is pending', async () => {
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const paced = throttleProgress(
      async (c) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 2500)); // slower than the interval
        running--;
        done.push(c.summary);
      },
      { intervalMs: 1000 },
    );
    paced.push(card(1));
    await jest.advanceTimersByTimeAsync(10);
    paced.push(card(2));
    const closing = paced.close();
    paced.push(card(3));
    await jest.advanceTimersByTimeAsync(5000);
    await closing;
    expect(done).toEqual(['p1']);
    expect(most).toBe(1);
  });

  it('reports a failed render and goes on', async () => {
    const errors: unknown[] = [];
    const shown: string[] = [];
    let first = true;
    const paced = throttleProgress(
      async (c) => {
        if (first) {
          first = false;
          throw new Error('ratelimited');
        }
        shown.push(c.summary);
      },
      { intervalMs: 1000, onError: (e) => errors.push(e) },
    );
    paced.push(card(1));
    await jest.advanceTimersByTimeAsync(10);
    paced.push(card(2));
    await jest.advanceTimersByTimeAsync(1500);
    expect(errors).toHaveLength(1);
    expect(shown).toEqual(['p2']);
  });
});
