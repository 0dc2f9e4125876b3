import { describe, expect, it } from 'vitest';
import { RefreshBudget } from './refresh-budget';

describe('RefreshBudget', () => {
  it('allows the first refresh at once, then waits nine times the last one for a 10 % share', () => {
    const b = new RefreshBudget(0.1);
    expect(b.allows(0)).toBe(true);
    b.record(1000, 3000); // a 2 s refresh
    expect(b.nextAt()).toBe(3000 + 18_000);
    expect(b.allows(20_999)).toBe(false);
    expect(b.allows(21_000)).toBe(true);
  });

  it('bounds the share of time spent refreshing by the share, for back-to-back refreshes', () => {
    const b = new RefreshBudget(0.1);
    let now = 0;
    let refreshing = 0;
    for (let i = 0; i < 50; i++) {
      now = Math.max(now, b.nextAt());
      const cost = 500 + ((i * 7919) % 3000); // refreshes of varying length
      b.record(now, now + cost);
      refreshing += cost;
      now += cost;
    }
    expect(refreshing / b.nextAt()).toBeLessThanOrEqual(0.1 + 1e-12);
  });

  it('waits nine times the cost the worker measured, not the refresh duration (capped by it)', () => {
    const b = new RefreshBudget(0.1);
    b.record(0, 10_000, 1_000); // 10 s beside training, 1 s of training's time taken
    expect(b.nextAt()).toBe(10_000 + 9_000);
    // Training time lost per period (cost) over the period (refresh + wait) is the share.
    expect(1_000 / b.nextAt()).toBeLessThanOrEqual(0.1);
    b.record(0, 2_000, 5_000); // a cost above the duration is impossible: capped
    expect(b.nextAt()).toBe(2_000 + 18_000);
  });
});
