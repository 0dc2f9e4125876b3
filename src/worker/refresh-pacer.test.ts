import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { type GapJobKind, GpuQueue } from './gpu-queue';
import { RefreshPacer } from './refresh-pacer';

/** A clock the tests move by hand. */
function fakeClock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

describe('RefreshPacer', () => {
  it('is ready at first; a charged refresh waits until training has paid it off at share / (1 − share)', () => {
    const clock = fakeClock();
    const p = new RefreshPacer(0.1, clock.now);
    expect(p.ready()).toBe(true);
    p.gapStart(); // the first gap: no training before it
    p.charge(900, true); // a 0.9 s slice in the gap
    clock.t += 900;
    p.gapEnd();
    expect(p.ready()).toBe(false);
    // 0.9 s of refresh is paid by 8.1 s of training (0.9 / (0.9 + 8.1) = 10 %).
    clock.t += 8000;
    p.gapStart();
    expect(p.ready()).toBe(false);
    expect(p.owed).toBeCloseTo(900 - 8000 / 9, 9);
    p.gapEnd();
    clock.t += 100;
    p.gapStart();
    expect(p.ready()).toBe(true);
    expect(p.totals).toEqual({ trainingMs: 8100, refreshMs: 900 });
    expect(p.shareSoFar()).toBeCloseTo(0.1, 12);
  });

  it('does not count refresh CPU work during a stretch as training, nor time while training is stopped', () => {
    const clock = fakeClock();
    const p = new RefreshPacer(0.5, clock.now);
    p.gapStart();
    p.gapEnd();
    clock.t += 1000;
    p.charge(400, false); // projection on the worker's thread during this stretch
    p.gapStart();
    expect(p.totals).toEqual({ trainingMs: 600, refreshMs: 400 });
    expect(p.owed).toBeCloseTo(0, 12); // 400 owed, 600 of training at 1:1 pays it
    p.stopped();
    clock.t += 60_000; // paused for a minute: not training
    p.gapStart();
    expect(p.totals.trainingMs).toBe(600);
  });

  it('refuses a share outside (0, 1)', () => {
    expect(() => new RefreshPacer(0)).toThrow(/share/);
    expect(() => new RefreshPacer(1)).toThrow(/share/);
  });
});

/**
 * Training and an ever-asking Embeddings panel, simulated on a fake clock through the worker's
 * own GpuQueue: steps of varying length, each followed by a gap (drain); a refresh of six GPU
 * slices (one per gap) and a projection on the worker's thread during the next stretch; the
 * page asks for the next refresh as soon as the pacer is ready (the worst case). The time spent
 * is tallied here, independently of the pacer's own totals.
 */
async function simulate(share: number, kinds: [first: GapJobKind, rest: GapJobKind], steps: number) {
  const clock = fakeClock();
  const q = new GpuQueue(() => true, new RefreshPacer(share, clock.now), clock.now);
  const rng = new Rng(3);
  let training = 0;
  let refresh = 0;
  let worstRefresh = 0;
  let inFlight: Promise<void> | undefined;
  let projectionDue = 0;
  let firstStep = 0;
  const prefixes: { training: number; refresh: number }[] = [];
  const oneRefresh = async () => {
    let cost = 0;
    for (let s = 0; s < 6; s++) {
      const ms = 200 + 600 * rng.next();
      await q.exclusive(
        async () => {
          clock.t += ms;
        },
        s === 0 ? kinds[0] : kinds[1],
      );
      refresh += ms;
      cost += ms;
    }
    projectionDue = 50 + 300 * rng.next();
    worstRefresh = Math.max(worstRefresh, cost + projectionDue);
  };
  for (let i = 0; i < steps; i++) {
    // A step; the projection of a finished refresh runs on the worker's thread meanwhile.
    const stepMs = 500 + 1500 * rng.next();
    clock.t += stepMs;
    training += stepMs;
    if (i === 0) firstStep = stepMs;
    if (projectionDue > 0) {
      clock.t += projectionDue;
      refresh += projectionDue;
      if (kinds[1] !== 'other') q.pacer.charge(projectionDue, false);
      projectionDue = 0;
      inFlight = undefined;
    }
    // The page asks when the step's metrics say the budget allows it (or always, unpaced).
    if (!inFlight && (kinds[0] !== 'refresh-start' || q.pacer.ready())) inFlight = oneRefresh();
    await new Promise((r) => setTimeout(r, 0)); // the analysis queues its slice
    await q.drain();
    await new Promise((r) => setTimeout(r, 0));
    prefixes.push({ training, refresh });
  }
  return { training, refresh, worstRefresh, prefixes, pacer: q.pacer, firstStep };
}

describe('the refresh pacer with the GPU queue', () => {
  it('keeps the refresh to its share over every stretch of a run, within one refresh', async () => {
    const share = 0.08;
    const r = share / (1 - share);
    const { training, refresh, worstRefresh, prefixes, pacer, firstStep } = await simulate(
      share,
      ['refresh-start', 'refresh'],
      3000,
    );
    // Bounded by design: after every step, refresh ≤ r · training + the one refresh started on credit.
    for (const p of prefixes) expect(p.refresh).toBeLessThanOrEqual(r * p.training + worstRefresh + 1e-6);
    // Also over every window that starts at a step (the debt carried in counts at most once).
    for (let a = 0; a < prefixes.length; a += 97)
      for (let b = a + 1; b < prefixes.length; b += 89) {
        const dr = prefixes[b]!.refresh - prefixes[a]!.refresh;
        const dt = prefixes[b]!.training - prefixes[a]!.training;
        expect(dr).toBeLessThanOrEqual(r * dt + 2 * worstRefresh + 1e-6);
      }
    const got = refresh / (refresh + training);
    expect(got).toBeLessThanOrEqual(share + worstRefresh / (refresh + training));
    expect(got).toBeLessThanOrEqual(0.085);
    // Paced, not starved: an ever-asking page gets close to its share.
    expect(got).toBeGreaterThan(0.07);
    // The pacer's own account agrees with the independent tally (its clock starts at the first gap).
    expect(pacer.totals.trainingMs).toBeCloseTo(training - firstStep, 6);
    expect(pacer.totals.refreshMs).toBeCloseTo(refresh, 6);
  });

  it('the same page without pacing would take far more than the share (the check above can fail)', async () => {
    const { training, refresh } = await simulate(0.08, ['other', 'other'], 600);
    expect(refresh / (refresh + training)).toBeGreaterThan(0.2);
  });

  it('a refresh start waiting for its turn keeps its place; other jobs run in the same gap uncharged', async () => {
    const clock = fakeClock();
    let training = true;
    const pacer = new RefreshPacer(0.5, clock.now);
    const q = new GpuQueue(() => training, pacer, clock.now);
    pacer.charge(1000, true); // in debt: 1 s of training pays it at 1:1
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      clock.t += ms;
      log.push(name);
    };
    const started = q.exclusive(job('refresh', 300), 'refresh-start');
    const other = q.exclusive(job('checkpoint', 700), 'other');
    await q.drain(); // the first gap: no training counted yet, still in debt
    await other;
    expect(log).toEqual(['checkpoint']);
    expect(pacer.totals.refreshMs).toBe(1000); // the checkpoint is not charged
    clock.t += 600; // a step
    await q.drain(); // 600 ms of training: 400 still owed
    expect(log).toEqual(['checkpoint']);
    clock.t += 400;
    await q.drain();
    await started;
    expect(log).toEqual(['checkpoint', 'refresh']);
    expect(pacer.totals.refreshMs).toBe(1300);
    // Training stops: a paced refresh waiting for its turn runs in the queue, nothing to pace.
    pacer.charge(10_000, true);
    const late = q.exclusive(job('late', 5), 'refresh-start');
    training = false;
    await q.drain();
    await late;
    expect(log.at(-1)).toBe('late');
  });
});
