import { describe, expect, it } from 'vitest';
import { BufferArena } from '../gpu/arena';
import { readF32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import type { BatchNormMode } from '../kernels/batchnorm';
import { Rng } from '../util/random';
import { expectClose, expectGradientMatchesDifferences } from '../../test/numeric';
import { setupGpu } from '../../test/gpu';
import type { HostTensors } from './param-store';
import { initialiseParams, numel } from './param-spec';
import { createResNet, type ResNet, resnetStepSpecs } from './resnet';
import { type ResNetConfig, resnetParamSpecs } from './resnet-config';
import { resnetActivationBytes, resnetBufferSpecs, resnetLayout } from './resnet-plan';
import { type RefParams, resnetBackwardRef, resnetForwardRef } from './resnet.ref';

const gpu = setupGpu();

interface Case {
  name: string;
  config: ResNetConfig;
  B: number;
  S: number;
}

const BASIC: Case = {
  name: 'basic [1,1,1,1] base 4, small stem, 8×8',
  config: { block: 'basic', layers: [1, 1, 1, 1], base: 4, stem: 'small', headHidden: 6, proj: 5 },
  B: 3,
  S: 8,
};
const BOTTLENECK: Case = {
  name: 'bottleneck [1,1,1,1] base 4, imagenet stem, 16×16',
  config: { block: 'bottleneck', layers: [1, 1, 1, 1], base: 4, stem: 'imagenet', headHidden: 7, proj: 3 },
  B: 3,
  S: 16,
};
const CASES = [BASIC, BOTTLENECK];
/** Small conv tiles: they compile in about half the time on SwiftShader (conv2d's own tests cover the tiles). */
const TILES = { wgM: 8, wgN: 8, tk: 8 };

/** Fresh init with non-trivial BN affine parameters and running statistics. */
function hostParams(c: ResNetConfig, seed: number): HostTensors {
  const p = initialiseParams(resnetParamSpecs(c), seed);
  const rng = new Rng(seed + 1000);
  for (const [name, v] of p) {
    if (!(v instanceof Float32Array)) continue;
    const perturb = (lo: number, hi: number) => {
      for (let i = 0; i < v.length; i++) v[i] = rng.uniform(lo, hi);
    };
    if (/(bn\d|downsample\.1|inv_head\.1)\.weight$/.test(name)) perturb(0.5, 1.5);
    else if (name.endsWith('.bias')) perturb(-0.3, 0.3);
    else if (name.endsWith('.running_mean')) perturb(-0.2, 0.2);
    else if (name.endsWith('.running_var')) perturb(0.5, 1.5);
  }
  return p;
}

function floatParams(p: HostTensors): RefParams {
  const out: RefParams = new Map();
  for (const [k, v] of p) if (v instanceof Float32Array) out.set(k, v);
  return out;
}

interface Built {
  net: ResNet;
  arena: BufferArena;
  host: HostTensors;
  x: Float32Array;
  dy: Float32Array;
}

async function build(ctx: GpuContext, k: Case, seed = 1): Promise<Built> {
  const arena = new BufferArena(ctx);
  const net = await createResNet(ctx, arena, k.config, { batch: k.B, imageSize: k.S, convTiles: TILES });
  const host = hostParams(k.config, seed);
  net.params.upload(host);
  const rng = new Rng(seed + 7);
  const x = rng.uniformArray(k.B * 3 * k.S * k.S, -1, 1);
  const dy = rng.uniformArray(k.B * k.config.proj, -1, 1);
  writeBuffer(ctx, net.input, x);
  writeBuffer(ctx, net.dProjections, dy);
  return { net, arena, host, x, dy };
}

async function step(ctx: GpuContext, net: ResNet, mode: BatchNormMode, backward = true) {
  await submitAndWait(ctx, (enc) => {
    net.encodeForward(enc, mode);
    if (backward) net.encodeBackward(enc);
  });
}

/** |got − want| ≤ tol · (max |want| + |want|): errors relative to the tensor's scale. */
function expectScaled(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  expectClose(got, want, tol * scale + 1e-12, tol, what);
}

describe.each(CASES)('ResNet image encoder (src/nn/resnet.ts): $name', (k) => {
  const lay = resnetLayout(k.config, k.B, k.S);

  it('training forward and backward match the float64 reference', async () => {
    const ctx = gpu();
    const { net, arena, host, x, dy } = await build(ctx, k);
    await step(ctx, net, 'train');
    const p = floatParams(host);
    const ref = resnetForwardRef(lay, x, p, 'train');
    expectScaled(await readF32(ctx, net.features, k.B * lay.F), ref.features, 1e-4, 'features');
    expectScaled(
      await readF32(ctx, net.projections, k.B * k.config.proj),
      ref.projections,
      1e-4,
      'projections',
    );
    const after = await net.params.download();
    let stats = 0;
    for (const [name, want] of ref.running) {
      expectScaled(after.get(name) as Float32Array, want, 1e-4, name);
      stats++;
    }
    // Every BN of the model has its running stats checked and counted one batch.
    const bnCount = [...after.keys()].filter((n) => n.endsWith('num_batches_tracked'));
    expect(stats).toBe(2 * bnCount.length);
    for (const n of bnCount) expect((after.get(n) as BigInt64Array)[0]).toBe(1n);

    const want = resnetBackwardRef(lay, p, ref, dy);
    const got = await net.params.downloadGrads();
    expect([...got.keys()].sort()).toEqual([...want.grads.keys()].sort());
    for (const [name, g] of got) expectScaled(g, want.grads.get(name)!, 2e-3, `grad ${name}`);
    expectScaled(await readF32(ctx, net.dFeatures, k.B * lay.F), want.dFeatures, 1e-3, 'dFeatures');
    net.destroy();
    arena.destroy();
  });

  it('eval mode uses the running statistics and changes no state; its backward matches', async () => {
    const ctx = gpu();
    const { net, arena, host, x, dy } = await build(ctx, k, 2);
    await step(ctx, net, 'eval');
    const p = floatParams(host);
    const ref = resnetForwardRef(lay, x, p, 'eval');
    expectScaled(
      await readF32(ctx, net.projections, k.B * k.config.proj),
      ref.projections,
      1e-4,
      'projections',
    );
    expectScaled(await readF32(ctx, net.features, k.B * lay.F), ref.features, 1e-4, 'features');
    const after = await net.params.download();
    for (const [name, v] of after) {
      if (v instanceof BigInt64Array) expect(v[0], name).toBe(0n);
      else if (name.includes('running')) expect([...v], name).toEqual([...(host.get(name) as Float32Array)]);
    }
    const want = resnetBackwardRef(lay, p, ref, dy);
    for (const [name, g] of await net.params.downloadGrads()) {
      expectScaled(g, want.grads.get(name)!, 2e-3, `grad ${name}`);
    }
    net.destroy();
    arena.destroy();
  });

  it('the reference backward agrees with central differences (train and eval)', () => {
    const host = hostParams(k.config, 3);
    const rng = new Rng(11);
    const x = rng.uniformArray(k.B * 3 * k.S * k.S, -1, 1);
    const dy = Float64Array.from(rng.uniformArray(k.B * k.config.proj, -1, 1));
    const p64: RefParams = new Map();
    for (const [n, v] of floatParams(host)) p64.set(n, Float64Array.from(v));
    for (const mode of ['train', 'eval'] as const) {
      const loss = () => {
        const y = resnetForwardRef(lay, x, p64, mode).projections;
        let s = 0;
        for (let i = 0; i < y.length; i++) s += y[i]! * dy[i]!;
        return s;
      };
      const { grads } = resnetBackwardRef(lay, p64, resnetForwardRef(lay, x, p64, mode), dy);
      // Every trainable tensor: two entries each in train mode, one in eval mode.
      for (const [name, g] of grads) {
        const v = p64.get(name) as Float64Array;
        expectGradientMatchesDifferences(loss, v, g, {
          what: `${mode} ${name}`,
          samples: mode === 'train' ? 2 : 1,
          seed: name.length,
          eps: 1e-5,
          atol: 1e-6,
          rtol: 1e-4,
        });
      }
    }
  });

  it('is deterministic: the same step twice gives bit-identical outputs and gradients', async () => {
    const ctx = gpu();
    const { net, arena, host } = await build(ctx, k, 4);
    const run = async () => {
      net.params.upload(host);
      await step(ctx, net, 'train');
      const grads = await net.params.downloadGrads();
      const proj = await readF32(ctx, net.projections);
      const state = await net.params.download();
      return { grads, proj, state };
    };
    const a = await run();
    const b = await run();
    expect([...b.proj]).toEqual([...a.proj]);
    for (const [n, g] of a.grads) expect([...b.grads.get(n)!], n).toEqual([...g]);
    for (const [n, v] of a.state)
      if (v instanceof Float32Array) expect([...(b.state.get(n) as Float32Array)], n).toEqual([...v]);
    net.destroy();
    arena.destroy();
  });

  it('an inference-only plan allocates no activation gradients and gives the eval projections', async () => {
    const ctx = gpu();
    const arena = new BufferArena(ctx);
    const net = await createResNet(ctx, arena, k.config, {
      batch: k.B,
      imageSize: k.S,
      withBackward: false,
      convTiles: TILES,
    });
    const host = hostParams(k.config, 5);
    net.params.upload(host);
    const x = new Rng(6).uniformArray(k.B * 3 * k.S * k.S, -1, 1);
    writeBuffer(ctx, net.input, x);
    await step(ctx, net, 'eval', false);
    const ref = resnetForwardRef(lay, x, floatParams(host), 'eval');
    expectScaled(
      await readF32(ctx, net.projections, k.B * k.config.proj),
      ref.projections,
      1e-4,
      'projections',
    );
    const g = arena.byGroup();
    expect(g['activation-grads'] ?? 0).toBe(0);
    const want = resnetBufferSpecs(lay, false).reduce((t, s) => t + Math.max(4, s.floats * 4), 0);
    expect((g.activations ?? 0) + (g.indices ?? 0)).toBe(want);
    expect(() => net.encodeBackward(ctx.device.createCommandEncoder())).toThrow(/without the backward/);
    net.destroy();
    arena.destroy();
  });

  it('resnetActivationBytes equals what the arena holds besides the parameters', async () => {
    const ctx = gpu();
    const arena = new BufferArena(ctx);
    const net = await createResNet(ctx, arena, k.config, {
      batch: k.B,
      imageSize: k.S,
      prefix: 'image.',
      convTiles: TILES,
    });
    const g = arena.byGroup();
    const paramBytes = resnetParamSpecs(k.config)
      .filter((s) => s.dtype === 'F32')
      .reduce((t, s) => t + (s.trainable ? 8 : 4) * Math.max(1, numel(s.shape)), 0);
    expect((g.weights ?? 0) + (g.grads ?? 0) + (g['bn-stats'] ?? 0)).toBe(paramBytes);
    expect(arena.totalBytes - paramBytes).toBe(resnetActivationBytes(k.config, k.B, k.S));
    // The plan-command list names every arena buffer with its size and group.
    const specs = resnetStepSpecs(k.config, k.B, k.S, { prefix: 'image.' }).filter(
      (s) => s.group !== 'kernel-scratch',
    );
    const listed = specs.map((s) => [s.name, Math.max(4, Math.ceil(s.bytes / 4) * 4), s.group]).sort();
    const held = arena
      .list()
      .map((e) => [e.name, e.bytes, e.group])
      .sort();
    expect(listed).toEqual(held);
    net.destroy();
    arena.destroy();
  });
});
