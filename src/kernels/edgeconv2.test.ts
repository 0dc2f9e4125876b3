import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { embed, MARKER } from '../../test/edgeconv-run';
import { expectClose } from '../../test/numeric';
import {
  checkGradients,
  checkOp,
  type HostArray,
  type HostBuffers,
  type OpSpec,
  sameBits,
} from '../../test/op-check';
import { Rng } from '../util/random';
import type { BnMode } from './edgeconv-dims';
import { type EdgeConv2Op, planEdgeConv2 } from './edgeconv2';
import {
  type EdgeConv2Dims,
  type EdgeConv2RefInputs,
  edgeConv2BackwardRef,
  edgeConv2ForwardRef,
} from './edgeconv2.ref';

const gpu = setupGpu();

interface Case extends EdgeConv2Dims {
  mode: BnMode;
  accumulateDx?: boolean;
}

const inputs = (d: HostBuffers): EdgeConv2RefInputs => ({
  x: d.x!,
  idx: d.idx!,
  weight1: d.weight1!,
  gamma1: d.gamma1!,
  beta1: d.beta1!,
  runningMean1: d.runningMean1!,
  runningVar1: d.runningVar1!,
  weight2: d.weight2!,
  gamma2: d.gamma2!,
  beta2: d.beta2!,
  runningMean2: d.runningMean2!,
  runningVar2: d.runningVar2!,
});

/** γ of both signs (a negative γ2 turns the max into a min over h2). */
function gammas(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, c) => (c % 3 === 1 ? -1 : 1) * (0.5 + rng.next()));
}

/** The saved statistics of both BNs in the plan's stats buffer: mean and var per channel, NaN elsewhere (not compared). */
function savedStats(s: Case, d: HostBuffers): Float64Array {
  const f = edgeConv2ForwardRef(s, inputs(d), s.mode);
  const out = new Float64Array(8 * (s.Cmid + s.Cout)).fill(Number.NaN);
  for (const [base, bn, ch] of [
    [0, f.bn1, s.Cmid],
    [8 * s.Cmid, f.bn2, s.Cout],
  ] as const) {
    for (let c = 0; c < ch; c++) {
      out[base + c * 8] = bn.mean[c]!;
      out[base + c * 8 + 1] = bn.var[c]!;
    }
  }
  return out;
}

const edgeConv2: OpSpec<Case, EdgeConv2Op> = {
  name: 'edgeconv2',
  data(s, rng) {
    const { B, N, k, C, Cmid: M, Cout: O } = s;
    // Neighbour lists as a kNN gives them (self first), then any point, repeats included.
    const idx = new Int32Array(B * N * k);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < N; i++)
        for (let q = 0; q < k; q++) idx[(b * N + i) * k + q] = q === 0 ? i : rng.int(N);
    return {
      x: rng.uniformArray(B * C * N, -1, 1), // [B, C, N]
      idx, // [B, N, k]
      weight1: rng.uniformArray(M * 2 * C, -0.8, 0.8), // [M, 2C]
      gamma1: gammas(rng, M),
      beta1: rng.uniformArray(M, -0.3, 0.3),
      runningMean1: rng.uniformArray(M, -0.5, 0.5),
      runningVar1: rng.uniformArray(M, 0.5, 2),
      weight2: rng.uniformArray(O * M, -0.8, 0.8), // [O, M]
      gamma2: gammas(rng, O),
      beta2: rng.uniformArray(O, -0.3, 0.3),
      runningMean2: rng.uniformArray(O, -0.5, 0.5),
      runningVar2: rng.uniformArray(O, 0.5, 2),
      y: new Float32Array(B * O * N), // [B, O, N]
      argslot: new Int32Array(B * O * N),
      dy: rng.uniformArray(B * O * N, -1, 1),
      dx: rng.uniformArray(B * C * N, -1, 1), // the base an accumulating backward adds into
      dWeight1: new Float32Array(M * 2 * C),
      dGamma1: new Float32Array(M),
      dBeta1: new Float32Array(M),
      dWeight2: new Float32Array(O * M),
      dGamma2: new Float32Array(O),
      dBeta2: new Float32Array(O),
    };
  },
  plan: (ctx, s, b) =>
    planEdgeConv2(ctx, s, {
      x: b.x!,
      idx: b.idx!,
      weight1: b.weight1!,
      gamma1: b.gamma1!,
      beta1: b.beta1!,
      runningMean1: b.runningMean1!,
      runningVar1: b.runningVar1!,
      weight2: b.weight2!,
      gamma2: b.gamma2!,
      beta2: b.beta2!,
      runningMean2: b.runningMean2!,
      runningVar2: b.runningVar2!,
      y: b.y!,
      argslot: b.argslot!,
      dy: b.dy,
      dx: b.dx,
      dWeight1: b.dWeight1,
      dGamma1: b.dGamma1,
      dBeta1: b.dBeta1,
      dWeight2: b.dWeight2,
      dGamma2: b.dGamma2,
      dBeta2: b.dBeta2,
    }),
  owned: (op, s) => ({ stats: { buffer: op.stats, type: 'f32', count: 8 * (s.Cmid + s.Cout) } }),
  forward: {
    encode: (op, enc, s) => op.encodeForward(enc, s.mode),
    ref(s, d) {
      const f = edgeConv2ForwardRef(s, inputs(d), s.mode);
      return {
        y: f.y,
        argslot: f.arg,
        runningMean1: f.bn1.runningMean,
        runningVar1: f.bn1.runningVar,
        runningMean2: f.bn2.runningMean,
        runningVar2: f.bn2.runningVar,
        stats: savedStats(s, d),
      };
    },
    tol: [2e-5, 2e-4],
    check(name, got, want) {
      const tol = name === 'y' ? [2e-5, 2e-4] : [1e-6, 1e-5];
      if (got instanceof Int32Array) {
        expect([...got], name).toEqual(Array.from(want));
        return;
      }
      const at = Array.from(want, (_, i) => i).filter((i) => !Number.isNaN(want[i]!));
      expectClose(
        at.map((i) => got[i]!),
        at.map((i) => want[i]!),
        tol[0]!,
        tol[1]!,
        `edgeconv2 forward ${name}`,
      );
    },
  },
  backward: {
    encode: (op, enc, s) => op.encodeBackward(enc, s.mode),
    ref(s, d) {
      const inp = inputs(d);
      const g = edgeConv2BackwardRef(s, inp, edgeConv2ForwardRef(s, inp, s.mode), d.dy!, s.mode);
      const dx = s.accumulateDx ? g.dx.map((v, i) => v + d.dx![i]!) : g.dx;
      return { ...g, dx };
    },
    // Sums over every edge of products of per-edge gradients: relative to the largest value.
    tol: [1e-4, 1e-3],
  },
  gradients: {
    cotangents: { y: 'dy' },
    inputs: {
      x: 'dx',
      weight1: 'dWeight1',
      gamma1: 'dGamma1',
      beta1: 'dBeta1',
      weight2: 'dWeight2',
      gamma2: 'dGamma2',
      beta2: 'dBeta2',
    },
    eps: 1e-6,
    samples: 12,
    tol: [1e-6, 1e-4],
  },
};

const shapes: [string, Case][] = [
  ['awkward, train', { B: 2, N: 37, k: 5, C: 6, Cmid: 7, Cout: 9, mode: 'train' }],
  ['awkward, eval', { B: 2, N: 37, k: 5, C: 6, Cmid: 7, Cout: 9, mode: 'eval' }],
  // Several reduction chunks (B·N > 64), one cloud, k = 1, dx accumulated.
  [
    'chunky, k = 1, accumulating dx',
    { B: 3, N: 71, k: 1, C: 3, Cmid: 4, Cout: 2, mode: 'train', accumulateDx: true },
  ],
  ['one channel each', { B: 1, N: 13, k: 4, C: 1, Cmid: 1, Cout: 1, mode: 'train' }],
  ['wide output', { B: 2, N: 19, k: 6, C: 3, Cmid: 5, Cout: 13, mode: 'train' }],
  // A BN momentum other than PyTorch's 0.1 (the Parts panel's first-look size) in both BNs' updates.
  ['BN momentum 0.35', { B: 2, N: 23, k: 4, C: 3, Cmid: 5, Cout: 6, mode: 'train', momentum: 0.35 }],
];

describe('edgeconv2 (shaders/edgeconv2.wgsl)', () => {
  it.each(shapes)(
    'forward (y, winners, both BNs’ batch and running statistics) and backward match the reference (%s)',
    async (_n, s) => {
      await checkOp(gpu(), edgeConv2, s, { seed: s.N + s.Cout });
    },
  );

  it('the reference backward matches central differences, BN statistics included (train and eval)', () => {
    for (const mode of ['train', 'eval'] as const) {
      const s: Case = { B: 2, N: 9, k: 3, C: 3, Cmid: 4, Cout: 5, mode };
      // 12 positions of x, W1 and W2, every one of γ1, β1 (4) and γ2, β2 (5).
      expect(checkGradients(edgeConv2, s, 3)).toBe(3 * 12 + 2 * 4 + 2 * 5);
    }
  });

  it('a zero γ2 ties every slot (slot 0 wins, as PyTorch), and a zero γ1 makes a constant middle channel', async () => {
    const s: Case = { B: 2, N: 17, k: 4, C: 3, Cmid: 5, Cout: 6, mode: 'train' };
    const data = edgeConv2.data(s, new Rng(9));
    (data.gamma2 as Float32Array)[1] = 0;
    (data.gamma1 as Float32Array)[2] = 0;
    const run = await checkOp(gpu(), edgeConv2, s, { data });
    const arg = run.forward.argslot!;
    for (let b = 0; b < s.B; b++)
      for (let i = 0; i < s.N; i++) expect(arg[(b * s.Cout + 1) * s.N + i]).toBe(0);
  });

  it('is deterministic: two runs are bit-identical', async () => {
    const s: Case = { B: 3, N: 71, k: 4, C: 3, Cmid: 5, Cout: 6, mode: 'train' };
    const a = await checkOp(gpu(), edgeConv2, s, { seed: 5 });
    const b = await checkOp(gpu(), edgeConv2, s, { seed: 5 });
    for (const [name, v] of [...Object.entries(a.forward), ...Object.entries(a.backward)]) {
      const w = (name in b.forward ? b.forward[name] : b.backward[name]) as HostArray;
      expect(sameBits(v, w), name).toBe(true);
    }
  });

  it('refuses a backward it was not planned for, and training BN over a single edge', async () => {
    const s: Case = { B: 1, N: 1, k: 1, C: 1, Cmid: 1, Cout: 1, mode: 'train' };
    await expect(checkOp(gpu(), edgeConv2, s)).rejects.toThrow(/more than one edge/);
    const fwdOnly: OpSpec<Case, EdgeConv2Op> = {
      ...edgeConv2,
      plan: (ctx, c, b) =>
        edgeConv2.plan(ctx, c, { ...b, dy: undefined } as unknown as Record<string, GPUBuffer>),
    };
    await expect(checkOp(gpu(), fwdOnly, { ...s, N: 5 })).rejects.toThrow(/planned without backward/);
  });

  it('reads x from a channel slice and writes y and dx into channel slices, leaving the neighbour channels untouched', async () => {
    const s: SlicedCase = {
      ...{ B: 2, N: 23, k: 4, C: 3, Cmid: 5, Cout: 6, mode: 'train', accumulateDx: true },
      ...{ inChannels: 8, inChannel0: 2, outChannels: 11, outChannel0: 4 },
    };
    const run = await checkOp(gpu(), edgeConv2Sliced, s, { seed: 31 });
    // The reference check above allows a relative slack; outside the slices nothing may change at all.
    const { B, N, C, Cout: O } = s;
    const outside = (total: number, ch0: number, ch: number) =>
      Array.from({ length: B * total * N }, (_, t) => t).filter((t) => {
        const c = Math.floor(t / N) % total;
        return c < ch0 || c >= ch0 + ch;
      });
    const yOut = outside(s.outChannels, s.outChannel0, O);
    const dxOut = outside(s.inChannels, s.inChannel0, C);
    expect(yOut.length).toBe(B * (s.outChannels - O) * N);
    expect(yOut.map((t) => run.forward.y![t])).toEqual(yOut.map(() => MARKER));
    expect(dxOut.map((t) => run.backward.dx![t])).toEqual(dxOut.map((t) => run.data.dx![t]));
  });
});

/** edgeconv2 on channel slices of larger buffers: x and dx [B, inChannels, N], y and dy [B, outChannels, N]. */
interface SlicedCase extends Case {
  inChannels: number;
  inChannel0: number;
  outChannels: number;
  outChannel0: number;
}

/** Channels [ch0, ch0 + ch) of [B, total, N] as a dense [B, ch, N]. */
function slice(full: ArrayLike<number>, B: number, ch: number, N: number, total: number, ch0: number) {
  const out = new Float32Array(B * ch * N);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < ch; c++)
      for (let n = 0; n < N; n++) out[(b * ch + c) * N + n] = full[(b * total + ch0 + c) * N + n]!;
  return out;
}

/** The dense case's buffers inside their slices; the neighbour channels hold canaries (MARKER, or dx's base). */
const denseOf = (s: SlicedCase, d: HostBuffers): HostBuffers => ({
  ...d,
  x: slice(d.x!, s.B, s.C, s.N, s.inChannels, s.inChannel0),
  dx: slice(d.dx!, s.B, s.C, s.N, s.inChannels, s.inChannel0),
  dy: slice(d.dy!, s.B, s.Cout, s.N, s.outChannels, s.outChannel0),
});

const edgeConv2Sliced: OpSpec<SlicedCase, EdgeConv2Op> = {
  ...edgeConv2,
  name: 'edgeconv2 on slices',
  data(s, rng) {
    const d = edgeConv2.data(s, rng);
    const { B, N, C, Cout: O } = s;
    const full = (n: number) => new Float32Array(n).fill(MARKER);
    return {
      ...d,
      // x's and dy's neighbour channels are huge: reading one would show in y, dx and the weights.
      x: embed(d.x!, B, C, N, s.inChannels, s.inChannel0, full(B * s.inChannels * N)),
      dy: embed(d.dy!, B, O, N, s.outChannels, s.outChannel0, full(B * s.outChannels * N)),
      dx: embed(d.dx!, B, C, N, s.inChannels, s.inChannel0, rng.uniformArray(B * s.inChannels * N, -1, 1)),
      y: full(B * s.outChannels * N),
    };
  },
  plan: (ctx, s, b) =>
    edgeConv2.plan(
      ctx,
      {
        ...s,
        inOffset: s.inChannel0 * s.N,
        inBatchStride: s.inChannels * s.N,
        outOffset: s.outChannel0 * s.N,
        outBatchStride: s.outChannels * s.N,
      } as Case, // the shape's slice fields pass through to planEdgeConv2
      b,
    ),
  forward: {
    ...edgeConv2.forward,
    ref(s, d) {
      const f = edgeConv2.forward.ref(s, denseOf(s, d));
      const y = embed(f.y!, s.B, s.Cout, s.N, s.outChannels, s.outChannel0, d.y as Float32Array);
      return { ...f, y };
    },
  },
  backward: {
    ...edgeConv2.backward!,
    ref(s, d) {
      const g = edgeConv2.backward!.ref(s, denseOf(s, d));
      const dx = embed(g.dx!, s.B, s.C, s.N, s.inChannels, s.inChannel0, d.dx as Float32Array);
      return { ...g, dx };
    },
  },
  gradients: undefined,
};
