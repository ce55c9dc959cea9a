// The injected clock's repeating timer: fires once per period of the clock's own time, including
// several times within one long move of a manual clock, and never again once stopped.
import { describe, expect, it } from 'vitest';
import { ManualClock, repeatEvery } from '../../server/clock.js';

describe('repeatEvery', () => {
  it('fires once per period of clock time, at the right moments, until stopped', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const stop = repeatEvery(clock, 5_000, () => fired.push(clock.now()));
    clock.advance(4_999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([5_000]);
    clock.advance(12_000);
    expect(fired).toEqual([5_000, 10_000, 15_000]);
    stop();
    clock.advance(60_000);
    expect(fired).toEqual([5_000, 10_000, 15_000]);
  });

  it('can be stopped from inside its own callback', () => {
    const clock = new ManualClock(0);
    let count = 0;
    const stop = repeatEvery(clock, 1_000, () => {
      count++;
      if (count === 2) stop();
    });
    clock.advance(10_000);
    expect(count).toBe(2);
  });
});
