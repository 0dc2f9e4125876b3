import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import {
  checkGradients,
  checkOp,
  type HostBuffers,
  type OpSpec,
  sameBits,
  withBuffers,
} from '../../test/op-check';
import { submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import {
  type BatchNormBuffers,
  type BatchNormMode,
  type BatchNormOp,
  type BatchNormShape,
  batchNormLayout,
  planBatchNorm,
} from './batchnorm';
import { batchNormBackwardRef, batchNormForwardRef } from './batchnorm.ref';

const gpu = setupGpu();

interface Case extends BatchNormShape {
  mode: BatchNormMode;
  /** x = offset + per-channel shift + std·N(0, 1)·scale (default 0 and 1). */
  offset?: number;
  std?: number;
  /** Tolerance multiplier (the large-offset cases). */
  tol?: number;
}

const shapeOf = ({ mode: _m, offset: _o, std: _s, tol: _t, ...s }: Case): BatchNormShape => s;

function inputs(s: Case, rng: Rng): HostBuffers {
  const len = s.B * s.C * s.L;
  const x = rng.normalArray(len, s.std ?? 1);
  // Per-channel shifts and scales so channels differ, plus a common offset.
  const shift = rng.uniformArray(s.C, -2, 2);
  for (let i = 0; i < len; i++) {
    const c = Math.floor(i / s.L) % s.C;
    x[i] = (s.offset ?? 0) + shift[c]! + x[i]! * (1 + 0.5 * Math.abs(shift[c]!));
  }
  return {
    x, // [B, C, L]
    y: new Float32Array(len),
    dy: rng.uniformArray(len),
    gamma: rng.uniformArray(s.C, 0.5, 1.5), // [C]
    beta: rng.uniformArray(s.C),
    runningMean: rng.uniformArray(s.C, -0.5, 0.5),
    runningVar: rng.uniformArray(s.C, 0.5, 2),
    dx: rng.uniformArray(len), // the bases the accumulating variants add into
    dgamma: rng.uniformArray(s.C),
    dbeta: rng.uniformArray(s.C),
  };
}

/** The plan's buffers by their names in data() (the backward's only where data() has them). */
const bnBuffers = (b: Record<string, GPUBuffer>): BatchNormBuffers => ({
  ...b,
  x: b.x!,
  y: b.y!,
  gamma: b.gamma!,
  beta: b.beta!,
  runningMean: b.runningMean!,
  runningVar: b.runningVar!,
});

const forwardRef = (s: Case, d: HostBuffers) =>
  batchNormForwardRef(shapeOf(s), d.x!, d.gamma!, d.beta!, d.runningMean!, d.runningVar!, s.mode);

const batchnorm: OpSpec<Case, BatchNormOp> = {
  name: 'batchnorm',
  data: inputs,
  plan: (ctx, s, b) => planBatchNorm(ctx, shapeOf(s), bnBuffers(b)),
  owned: (op, s) => ({
    mean: { buffer: op.saveMean, type: 'f32', count: s.C },
    invstd: { buffer: op.saveInvstd, type: 'f32', count: s.C },
  }),
  forward: {
    encode: (op, enc, s) => op.encodeForward(enc, s.mode),
    ref(s, d) {
      const f = forwardRef(s, d);
      return { y: f.y, mean: f.mean, invstd: f.invstd, runningMean: f.runningMean, runningVar: f.runningVar };
    },
    tol(s, b) {
      const t = s.tol ?? 1;
      const shifted = 2e-6 * t * (1 + Math.abs(s.offset ?? 0));
      if (b === 'mean' || b === 'runningMean') return [shifted, 1e-6];
      if (b === 'invstd') return [0, 2e-5 * t];
      if (b === 'runningVar') return [1e-6, 2e-5 * t];
      return [2e-5 * t, 1e-5]; // y
    },
  },
  backward: {
    ref(s, d) {
      const f = forwardRef(s, d);
      const g = batchNormBackwardRef(shapeOf(s), d.x!, d.dy!, d.gamma!, f.mean, f.invstd, s.mode, {
        dx: s.accumulate ? d.dx : undefined,
        dgamma: s.accumulateParams ? d.dgamma : undefined,
        dbeta: s.accumulateParams ? d.dbeta : undefined,
      });
      return { dx: g.dx, dgamma: g.dgamma, dbeta: g.dbeta };
    },
    tol(s, b) {
      const t = s.tol ?? 1;
      const n = s.B * s.L;
      if (b === 'dbeta') return [1e-5 * Math.sqrt(n), 1e-5];
      if (b === 'dgamma') return [2e-5 * t * Math.sqrt(n), 1e-5];
      return [5e-5 * t, 1e-4]; // dx
    },
  },
  gradients: {
    cotangents: { y: 'dy' },
    inputs: { x: 'dx', gamma: 'dgamma', beta: 'dbeta' },
    eps: 1e-5,
    samples: 12, // every channel of γ and β
    tol: [1e-7, 1e-5],
  },
};

describe('batchnorm (shaders/batchnorm.wgsl)', () => {
  const train: BatchNormShape[] = [
    { B: 2, C: 1, L: 1 },
    { B: 3, C: 1024, L: 1 },
    { B: 16, C: 1024, L: 1 },
    { B: 70, C: 11, L: 3, accumulate: true }, // columns layout, 2 row chunks
    { B: 5, C: 37, L: 7 },
    { B: 4, C: 6, L: 32, accumulateParams: true }, // the smallest L walked along rows
    { B: 3, C: 5, L: 1031 },
    { B: 2, C: 3, L: 70001, accumulate: true, accumulateParams: true }, // 35 chunks per channel
  ];
  it.each(train.map((s, i) => [JSON.stringify(s), s, i] as const))('train %s', async (_n, s, i) => {
    await checkOp(gpu(), batchnorm, { ...s, mode: 'train' }, { seed: 10 + i });
  });

  const evalCases: BatchNormShape[] = [
    { B: 1, C: 1, L: 1 },
    { B: 3, C: 1024, L: 1, accumulate: true },
    { B: 3, C: 5, L: 1031, accumulateParams: true },
  ];
  it.each(evalCases.map((s, i) => [JSON.stringify(s), s, i] as const))('eval %s', async (_n, s, i) => {
    await checkOp(gpu(), batchnorm, { ...s, mode: 'eval' }, { seed: 30 + i });
  });

  it('keeps the variance accurate when |mean| ≫ std (offset 1000, std 0.5)', async () => {
    // E[x²] − E[x]² in float32 would lose the variance entirely here; shifted sums keep it.
    const far = { mode: 'train', offset: 1000, std: 0.5, tol: 20 } as const;
    const rows = await checkOp(gpu(), batchnorm, { B: 3, C: 4, L: 1031, ...far }, { seed: 5 });
    const cols = await checkOp(gpu(), batchnorm, { B: 200, C: 9, L: 1, ...far }, { seed: 6 });
    expect(rows.forward.invstd!.every((v) => v < 2.1)).toBe(true);
    expect(cols.forward.invstd!.every((v) => v < 2.1)).toBe(true);
  });

  it('updates the running variance with the unbiased variance (x = [1, 3])', async () => {
    const s: Case = { B: 2, C: 1, L: 1, mode: 'train' };
    const data: HostBuffers = {
      ...inputs(s, new Rng(1)),
      x: Float32Array.of(1, 3),
      runningMean: Float32Array.of(0),
      runningVar: Float32Array.of(1),
    };
    const got = (await checkOp(gpu(), batchnorm, s, { data })).forward;
    expect(got.mean![0]).toBe(2);
    expect(got.invstd![0]).toBeCloseTo(1 / Math.sqrt(1 + 1e-5), 6); // biased variance 1
    expect(got.runningMean![0]).toBeCloseTo(0.2, 6);
    expect(got.runningVar![0]).toBeCloseTo(0.9 + 0.1 * 2, 6); // unbiased variance 2
  });

  it('refuses training mode with one value per channel, allows eval', async () => {
    const ctx = gpu();
    const s: Case = { B: 1, C: 3, L: 1, mode: 'eval' };
    const { dy: _dy, dx: _dx, dgamma: _dg, dbeta: _db, ...forwardOnly } = inputs(s, new Rng(2));
    await withBuffers(ctx, forwardOnly, async (b, read) => {
      const op = await planBatchNorm(ctx, shapeOf(s), bnBuffers(b));
      try {
        await submitAndWait(ctx, (enc) => {
          expect(() => op.encodeForward(enc, 'train')).toThrow(/more than 1 value per channel/);
          op.encodeForward(enc, 'eval');
        });
        expectClose(await read('y'), forwardRef(s, forwardOnly).y, 1e-5, 1e-5, 'eval B = 1');
      } finally {
        op.destroy();
      }
    });
  });

  it.each([
    [{ B: 3, C: 2, L: 5 }, 'train'],
    [{ B: 4, C: 3, L: 1 }, 'train'],
    [{ B: 2, C: 2, L: 3 }, 'eval'],
  ] as const)('backward matches central differences of the reference: %j %s', (s, mode) => {
    expect(checkGradients(batchnorm, { ...s, mode }, 3)).toBe(12 + 2 * s.C);
  });

  it('is bit-identical on rerun (both layouts, several chunks)', async () => {
    for (const shape of [
      { B: 2, C: 3, L: 20011 },
      { B: 130, C: 65, L: 2 },
    ]) {
      expect(batchNormLayout(shape).G).toBeGreaterThan(1);
      const s: Case = { ...shape, mode: 'train' };
      const a = await checkOp(gpu(), batchnorm, s, { seed: 8 });
      const b = await checkOp(gpu(), batchnorm, s, { seed: 8 });
      for (const [k, got] of Object.entries({ ...a.forward, ...a.backward })) {
        const again = b.forward[k] ?? b.backward[k];
        expect(sameBits(got, again!), `${k} of ${JSON.stringify(s)}`).toBe(true);
      }
    }
  });
});
