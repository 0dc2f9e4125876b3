import { describe, expect, it } from 'vitest';
import { GpuQueue } from './gpu-queue';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('GpuQueue', () => {
  it('runs serial work in order, one job at a time, and goes on after a failure', async () => {
    const q = new GpuQueue(() => false);
    const log: string[] = [];
    const job =
      (name: string, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const a = q.serial(job('a'));
    const b = q.serial(job('b', true));
    const c = q.exclusive(job('c')); // not training: exclusive work goes through the queue
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('while training, exclusive work waits for the gap between two steps', async () => {
    let training = true;
    const q = new GpuQueue(() => training);
    const log: string[] = [];
    const done = q.exclusive(async () => {
      log.push('eval');
      return 7;
    });
    await tick();
    expect(log).toEqual([]); // no gap yet: a step may be in flight
    log.push('step 1');
    await q.drain(); // the trainer's breathe hook between steps
    log.push('step 2');
    await expect(done).resolves.toBe(7);
    expect(log).toEqual(['step 1', 'eval', 'step 2']);
    training = false;
    await expect(q.exclusive(async () => 'after')).resolves.toBe('after');
  });

  it('a gap runs one slice of an analysis that queues its next slice when one ends', async () => {
    const q = new GpuQueue(() => true);
    let slices = 0;
    const analysis = (async () => {
      for (let i = 0; i < 3; i++)
        await q.exclusive(async () => {
          await tick();
          slices++;
        });
    })();
    await tick();
    const after: number[] = [];
    for (let gap = 0; gap < 3; gap++) {
      await q.drain();
      await tick(); // the analysis queues its next slice
      after.push(slices);
    }
    await analysis;
    expect(after).toEqual([1, 2, 3]);
  });
});
