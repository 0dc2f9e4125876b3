import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose, expectGradientMatchesDifferences } from '../../test/numeric';
import { withBuffers } from '../../test/op-check';
import { BufferArena } from '../gpu/arena';
import { readU32, submitAndWait } from '../gpu/buffers';
import { GpuLimitError } from '../gpu/errors';
import { Rng } from '../util/random';
import { planEdgeConv } from './edgeconv';
import { planReverseAdjacency } from './edgeconv-adjacency';
import {
  argMismatches,
  type EdgeConvCase,
  type EdgeConvCaseOptions,
  makeEdgeConvCase,
} from './edgeconv.fixtures';
import {
  type BnMode,
  type EdgeConvDims,
  edgeConvBackwardRef,
  edgeConvForwardRef,
  edgeConvLossRef,
} from './edgeconv.ref';
import { embed, MARKER, runEdgeConv, type SliceLayout } from '../../test/edgeconv-run';

const gpu = setupGpu();

const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

/** |got − want| ≤ tol·max(1, max|want|) elementwise. */
function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  expectClose(got, want, tol * Math.max(1, maxAbs(want)), 0, what);
}

const SMALL3: EdgeConvDims = { B: 2, N: 13, k: 4, C: 3, Cout: 7 };
const SMALL5: EdgeConvDims = { B: 2, N: 13, k: 4, C: 5, Cout: 7 };
const BIG: EdgeConvDims = { B: 2, N: 64, k: 8, C: 16, Cout: 24 };
// Several statistics chunks and adjacency chunks (B·N > 256, N·k > 256), k = 1, a single channel.
const CHUNKY: EdgeConvDims = { B: 3, N: 300, k: 5, C: 4, Cout: 9 };
const TINY: EdgeConvDims = { B: 1, N: 5, k: 1, C: 1, Cout: 1 };
const PRIME: EdgeConvDims = { B: 1, N: 37, k: 7, C: 2, Cout: 3 };
// The kNN's largest k (part segmentation uses 40).
const WIDE_K: EdgeConvDims = { B: 2, N: 67, k: 64, C: 3, Cout: 5 };

const NEG = { negativeGamma: [1, 4, 10] };

async function checkAgainstRef(
  d: EdgeConvDims,
  c: EdgeConvCase,
  mode: BnMode,
  opt: { backward?: boolean; layout?: SliceLayout; dxInit?: Float32Array } = {},
) {
  const ctx = gpu();
  const [got] = await runEdgeConv(ctx, planEdgeConv, d, c, { mode, ...opt });
  const ref = edgeConvForwardRef(d, c.inputs, mode);
  const tag = `${JSON.stringify(d)} ${mode}`;
  expectNear(got!.y, ref.y, 2e-5, `y ${tag}`);
  expect(argMismatches(d, c.inputs, ref, got!.arg), `argslot ${tag}`).toEqual([]);
  const st = got!.stats;
  expectNear(
    Array.from({ length: d.Cout }, (_, o) => st[o * 8]!),
    ref.mean,
    1e-5,
    `mean ${tag}`,
  );
  expectNear(
    Array.from({ length: d.Cout }, (_, o) => st[o * 8 + 1]!),
    ref.var,
    1e-5,
    `var ${tag}`,
  );
  expectNear(got!.runningMean, ref.runningMean, 1e-6, `running mean ${tag}`);
  expectNear(got!.runningVar, ref.runningVar, 1e-6, `running var ${tag}`);
  if (mode === 'eval') {
    expect(got!.runningMean).toEqual(c.inputs.runningMean);
    expect(got!.runningVar).toEqual(c.inputs.runningVar);
  }
  if (opt.backward) {
    const g = edgeConvBackwardRef(d, c.inputs, ref, c.dy, mode);
    expectNear(got!.dx!, g.dx, 1e-4, `dx ${tag}`);
    expectNear(got!.dWeight!, g.dWeight, 1e-4, `dW ${tag}`);
    expectNear(got!.dGamma!, g.dGamma, 1e-4, `dgamma ${tag}`);
    expectNear(got!.dBeta!, g.dBeta, 1e-4, `dbeta ${tag}`);
  }
  return { got: got!, ref };
}

describe('edgeconv (shaders/edgeconv.wgsl)', () => {
  const cases: [string, EdgeConvDims, EdgeConvCaseOptions][] = [
    ['C=3', SMALL3, NEG],
    ['C=5 random idx', SMALL5, { ...NEG, randomIdx: true }],
    ['bigger', BIG, NEG],
    ['chunky', CHUNKY, NEG],
    ['tiny k=1', TINY, {}],
    ['primes', PRIME, { negativeGamma: [2] }],
    ['k = 64', WIDE_K, { negativeGamma: [1] }],
    // A BN momentum other than PyTorch's 0.1 (the Parts panel's first-look size).
    ['BN momentum 0.35', { ...SMALL3, momentum: 0.35 }, NEG],
  ];
  for (const mode of ['train', 'eval'] as const) {
    it.each(cases)(`forward and backward match the reference (%s, ${mode})`, async (_n, d, o) => {
      await checkAgainstRef(d, makeEdgeConvCase(d, 11 + d.N + d.C, o), mode, { backward: true });
    });
  }

  it('handles duplicate points, duplicate neighbour slots and a zero γ', async () => {
    const d = { B: 2, N: 29, k: 6, C: 3, Cout: 7 };
    const c = makeEdgeConvCase(d, 5, {
      duplicatePoints: 0.5,
      duplicateSlots: 0.3,
      negativeGamma: [1, 3],
      zeroGamma: [5],
    });
    for (const mode of ['train', 'eval'] as const) {
      const { got } = await checkAgainstRef(d, c, mode, { backward: true });
      // The zero-γ channel ties everywhere: the first slot wins.
      for (let b = 0; b < d.B; b++) {
        for (let i = 0; i < d.N; i++) expect(got.arg[(b * d.Cout + 5) * d.N + i]).toBe(0);
      }
    }
  });

  it('reads x from and writes y into channel slices, and accumulates dx', async () => {
    const d = SMALL5;
    const c = makeEdgeConvCase(d, 77, NEG);
    const layout: SliceLayout = {
      inChannels: 11,
      inChannel0: 4,
      outChannels: 19,
      outChannel0: 9,
      accumulateDx: true,
    };
    const rng = new Rng(3);
    const dxInit = rng.uniformArray(d.B * 11 * d.N);
    const ctx = gpu();
    const [got] = await runEdgeConv(ctx, planEdgeConv, d, c, {
      mode: 'train',
      backward: true,
      layout,
      dxInit,
    });
    const ref = edgeConvForwardRef(d, c.inputs, 'train');
    const g = edgeConvBackwardRef(d, c.inputs, ref, c.dy, 'train');
    // y lands in its slice, everything else in the buffer is untouched.
    const yWant = embed(ref.y, d.B, d.Cout, d.N, 19, 9, new Float32Array(d.B * 19 * d.N).fill(MARKER));
    expectNear(got!.yFull, yWant, 2e-5, 'y slice');
    // dx = initial + gradient inside the slice, the initial values outside it.
    const dxWant = Float64Array.from(dxInit);
    const gSlice = embed(g.dx, d.B, d.C, d.N, 11, 4, new Float32Array(dxInit.length));
    for (let t = 0; t < dxWant.length; t++) dxWant[t] += gSlice[t]!;
    expectNear(got!.dxFull!, dxWant, 1e-4, 'dx slice accumulate');
    expectNear(got!.dWeight!, g.dWeight, 1e-4, 'dW with slices');
  });

  it('is deterministic: two runs are bit-identical', async () => {
    const d = CHUNKY;
    const c = makeEdgeConvCase(d, 21, { ...NEG, duplicatePoints: 0.3 });
    const runs = await runEdgeConv(gpu(), planEdgeConv, d, c, { mode: 'train', backward: true, repeats: 2 });
    const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
    for (const key of [
      'y',
      'arg',
      'runningMean',
      'runningVar',
      'stats',
      'dx',
      'dWeight',
      'dGamma',
      'dBeta',
    ] as const) {
      expect(Buffer.from(b[key]!.buffer).equals(Buffer.from(a[key]!.buffer)), key).toBe(true);
    }
  });

  it.each([
    ['C=3', SMALL3],
    ['bigger', BIG],
  ] as const)('backward matches central differences of the reference loss (%s)', async (_n, d) => {
    const c = makeEdgeConvCase(d, 8 + d.C, NEG);
    const [got] = await runEdgeConv(gpu(), planEdgeConv, d, c, { mode: 'train', backward: true });
    const inp = {
      x: Float64Array.from(c.inputs.x),
      idx: c.inputs.idx,
      weight: Float64Array.from(c.inputs.weight),
      gamma: Float64Array.from(c.inputs.gamma),
      beta: Float64Array.from(c.inputs.beta),
      runningMean: c.inputs.runningMean,
      runningVar: c.inputs.runningVar,
    };
    const ref = edgeConvBackwardRef(d, inp, edgeConvForwardRef(d, inp, 'train'), c.dy, 'train');
    const loss = () => edgeConvLossRef(d, inp, c.dy, 'train');
    const probes: [string, Float64Array, Float32Array, Float64Array][] = [
      ['dx', inp.x, got!.dx!, ref.dx],
      ['dW', inp.weight, got!.dWeight!, ref.dWeight],
      ['dgamma', inp.gamma, got!.dGamma!, ref.dGamma],
      ['dbeta', inp.beta, got!.dBeta!, ref.dBeta],
    ];
    for (const [name, param, gpuGrad, refGrad] of probes) {
      const scale = Math.max(1, maxAbs(refGrad));
      expectGradientMatchesDifferences(loss, param, refGrad, {
        what: `${name}: reference`,
        samples: 12,
        seed: param.length,
        eps: 1e-6,
        atol: 1e-6 * scale,
        rtol: 1e-5,
      });
      // The GPU's gradient against the reference's (which matches the differences above).
      expectClose(gpuGrad, refGrad, 1e-4 * scale, 1e-4, `${name}: GPU vs reference`);
    }
  });

  it('builds the reverse adjacency in ascending edge order, hubs included', async () => {
    const ctx = gpu();
    const B = 2;
    const N = 300;
    const k = 6;
    const rng = new Rng(9);
    // Half the edges point at three hub points, so a hub's list spans several 256-edge chunks.
    const idx = Int32Array.from({ length: B * N * k }, () => (rng.next() < 0.5 ? rng.int(3) : rng.int(N)));
    const arena = new BufferArena(ctx);
    const got = await withBuffers(ctx, { idx }, async ({ idx: idxBuf }) => {
      const adj = await planReverseAdjacency(ctx, { B, N, k }, idxBuf!, arena, 'test');
      try {
        await submitAndWait(ctx, (enc) => adj.encode(enc));
        await submitAndWait(ctx, (enc) => adj.encode(enc)); // a second build must not see the first's state
        return { adj: await readU32(ctx, adj.adj, adj.listBase + B * N * k), listBase: adj.listBase };
      } finally {
        adj.destroy();
        arena.destroy();
      }
    });
    const adj = { listBase: got.listBase };
    for (let b = 0; b < B; b++) {
      const lists: number[][] = Array.from({ length: N }, () => []);
      for (let m = 0; m < N * k; m++) lists[idx[b * N * k + m]!]!.push(m);
      let start = 0;
      for (let j = 0; j <= N; j++) {
        expect(got.adj[b * (N + 1) + j], `start ${b},${j}`).toBe(start);
        if (j === N) break;
        const list = [...got.adj.subarray(adj.listBase + b * N * k + start).subarray(0, lists[j]!.length)];
        expect(list, `in-edges of ${b},${j}`).toEqual(lists[j]);
        start += lists[j]!.length;
      }
    }
  });

  it('names the limit to lower when the scratch would not fit in one buffer', async () => {
    const ctx = gpu();
    const N = 4096;
    await withBuffers(ctx, { small: new Float32Array(4) }, async ({ small: s4 }) => {
      const small = s4!;
      const bufs = {
        x: small,
        idx: small,
        weight: small,
        gamma: small,
        beta: small,
        runningMean: small,
        runningVar: small,
        y: small,
        argslot: small,
      };
      // PQ would be [64, 2·4096, 4096] f32 = 8 GiB.
      const shape = { B: 64, N, k: 1, C: 1, Cout: 4096 };
      await expect(planEdgeConv(ctx, shape, bufs)).rejects.toThrow(GpuLimitError);
      await expect(planEdgeConv(ctx, shape, bufs)).rejects.toThrow(
        /(maxStorageBufferBindingSize|maxBufferSize).*lower the batch size/,
      );
    });
  });
});
