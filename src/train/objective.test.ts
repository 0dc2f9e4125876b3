import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose, expectGradientMatchesDifferences } from '../../test/numeric';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { planObjective } from './objective';
import { objectiveRef } from './objective.ref';
import type { LossTerms } from './trainer-api';

const gpu = setupGpu();

describe('CrossPoint objective (shaders/ntxent.wgsl + shaders/prototype.wgsl)', () => {
  const B = 5;
  const D = 9;
  const tau = 0.1;
  const rng = new Rng(11);
  const z = rng.normalArray(2 * B * D);
  const zImg = rng.normalArray(B * D);

  it.each([
    { imid: true, cmid: true },
    { imid: true, cmid: false },
    { imid: false, cmid: true },
  ] as LossTerms[])('terms %j: losses and gradients match the reference', async (terms) => {
    const ctx = gpu();
    const bufs = {
      z: createBufferFrom(ctx, z),
      zImg: createBufferFrom(ctx, zImg),
      dz: createBufferFrom(ctx, rng.normalArray(2 * B * D)), // garbage: must be overwritten
      dzImg: createBufferFrom(ctx, rng.normalArray(B * D)),
      loss: createStorageBuffer(ctx, 8),
    };
    const op = await planObjective(ctx, { B, D, temperature: tau, terms }, bufs);
    await submitAndWait(ctx, (enc) => op.encode(enc));
    const want = objectiveRef(z, zImg, B, D, tau, terms);
    const loss = await readF32(ctx, bufs.loss, 2);
    if (terms.imid) expect(loss[0]).toBeCloseTo(want.lImid, 4);
    if (terms.cmid) expect(loss[1]).toBeCloseTo(want.lCmid, 4);
    expectClose(await readF32(ctx, bufs.dz, 2 * B * D), want.dz, 2e-5, 2e-3, 'dz');
    expectClose(await readF32(ctx, bufs.dzImg, B * D), want.dzImg, 2e-5, 2e-3, 'dzImg');
    op.destroy();
  });

  it('the reference gradient of L = L_imid + L_cmid matches finite differences', () => {
    const z64 = Float64Array.from(z);
    const img64 = Float64Array.from(zImg);
    const terms = { imid: true, cmid: true };
    const totalLoss = () => {
      const r = objectiveRef(z64, img64, B, D, tau, terms);
      return r.lImid + r.lCmid;
    };
    const g = objectiveRef(z64, img64, B, D, tau, terms);
    const fd = { eps: 1e-6, atol: 5e-6, rtol: 0, seed: 1 };
    expectGradientMatchesDifferences(totalLoss, z64, g.dz, { ...fd, what: 'dz', samples: 8 });
    expectGradientMatchesDifferences(totalLoss, img64, g.dzImg, { ...fd, what: 'dzImg', samples: 5 });
  });

  it('refuses to train with both terms off', async () => {
    const ctx = gpu();
    const b = createStorageBuffer(ctx, 64);
    await expect(
      planObjective(
        ctx,
        { B: 2, D: 2, temperature: 0.1, terms: { imid: false, cmid: false } },
        { z: b, zImg: b, dz: b, dzImg: b, loss: b },
      ),
    ).rejects.toThrow('at least one');
  });
});
