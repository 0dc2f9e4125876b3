import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose, expectGradientMatchesDifferences } from '../../test/numeric';
import { BufferArena } from '../gpu/arena';
import { createBufferFrom, readF32, submitAndWait } from '../gpu/buffers';
import type { BatchNormMode } from '../kernels/batchnorm';
import { Rng } from '../util/random';
import { allocateSpecs } from './buffer-plan';
import { initialiseParams } from './param-spec';
import { ParamStore } from './param-store';
import {
  headBufferNames,
  type ProjectionHeadConfig,
  planProjectionHead,
  projectionHeadBufferSpecs,
  projectionHeadSpecs,
} from './projection-head';
import { headBackwardRef, headForwardRef, type RefParams } from './projection-head.ref';

const gpu = setupGpu();

/** Fresh values with non-trivial BN affine and running statistics. */
function randomValues(c: ProjectionHeadConfig, seed: number) {
  const specs = projectionHeadSpecs(c);
  const v = initialiseParams(specs, seed);
  const rng = new Rng(seed + 1000);
  v.set('inv_head.1.weight', rng.uniformArray(c.hidden, 0.5, 1.5));
  v.set('inv_head.1.bias', rng.uniformArray(c.hidden, -0.5, 0.5));
  v.set('inv_head.1.running_mean', rng.uniformArray(c.hidden, -0.2, 0.2));
  v.set('inv_head.1.running_var', rng.uniformArray(c.hidden, 0.5, 2));
  return { specs, v };
}

function refParams(v: Map<string, Float32Array | BigInt64Array>): RefParams {
  const p: RefParams = new Map();
  for (const [k, t] of v) if (t instanceof Float32Array) p.set(k, Float64Array.from(t));
  return p;
}

async function check(c: ProjectionHeadConfig, B: number, mode: BatchNormMode, seed: number) {
  const ctx = gpu();
  const { specs, v } = randomValues(c, seed);
  const arena = new BufferArena(ctx);
  const params = new ParamStore(ctx, arena, specs, 'head.');
  params.upload(v);
  allocateSpecs(arena, projectionHeadBufferSpecs(c, B, 'head.', true));
  const n = headBufferNames('head.');
  const rng = new Rng(seed + 7);
  const x = rng.normalArray(B * c.inFeatures);
  const dy = rng.uniformArray(B * c.out);
  const bufs = {
    x: createBufferFrom(ctx, x),
    y: createBufferFrom(ctx, new Float32Array(B * c.out)),
    dy: createBufferFrom(ctx, dy),
    dx: createBufferFrom(ctx, new Float32Array(B * c.inFeatures)),
  };
  const head = await planProjectionHead(ctx, params, c, B, {
    ...bufs,
    h: arena.get(n.h),
    a: arena.get(n.a),
    da: arena.get(n.da),
    dh: arena.get(n.dh),
  });
  await submitAndWait(ctx, (enc) => {
    head.encodeForward(enc, mode);
    head.encodeBackward(enc);
  });
  const p = refParams(v);
  const f = headForwardRef(c, B, x, p, mode);
  const b = headBackwardRef(c, B, x, p, f, dy, mode);
  const what = `${JSON.stringify(c)} B=${B} ${mode}`;
  expectClose(await readF32(ctx, bufs.y, B * c.out), f.y, 2e-5, 1e-4, `${what} y`);
  expectClose(await readF32(ctx, bufs.dx, B * c.inFeatures), b.dx, 2e-5, 1e-3, `${what} dx`);
  const grads = await params.downloadGrads();
  expect([...grads.keys()].sort()).toEqual([...b.grads.keys()].sort());
  for (const [name, g] of b.grads) expectClose(grads.get(name)!, g, 2e-5, 1e-3, `${what} d${name}`);
  const after = await params.download();
  expectClose(
    after.get('inv_head.1.running_mean') as Float32Array,
    f.runningMean,
    1e-6,
    1e-5,
    'running mean',
  );
  expectClose(after.get('inv_head.1.running_var') as Float32Array, f.runningVar, 1e-6, 1e-5, 'running var');
  if (mode === 'eval') expect(after.get('inv_head.1.running_var')).toEqual(v.get('inv_head.1.running_var'));
  head.destroy();
  arena.destroy();
  for (const buf of Object.values(bufs)) buf.destroy();
}

describe('projection head (shaders/matmul.wgsl, batchnorm.wgsl, activation.wgsl, column_sum.wgsl)', () => {
  it('point head (biases), train mode, matches the reference', async () => {
    await check({ inFeatures: 37, hidden: 24, out: 11, bias: true }, 5, 'train', 1);
  });
  it('image head (no biases), train mode, matches the reference', async () => {
    await check({ inFeatures: 64, hidden: 32, out: 16, bias: false }, 7, 'train', 2);
  });
  it('eval mode uses and keeps the running statistics', async () => {
    await check({ inFeatures: 19, hidden: 13, out: 7, bias: true }, 3, 'eval', 3);
  });

  it('the reference backward matches central differences (both modes, with and without bias)', () => {
    for (const [bias, mode] of [
      [true, 'train'],
      [false, 'train'],
      [true, 'eval'],
    ] as const) {
      const c: ProjectionHeadConfig = { inFeatures: 6, hidden: 5, out: 4, bias };
      const B = 4;
      const p = refParams(randomValues(c, 11).v);
      const rng = new Rng(12);
      const x = Float64Array.from(rng.normalArray(B * c.inFeatures));
      const dy = rng.uniformArray(B * c.out);
      const loss = () => headForwardRef(c, B, x, p, mode).y.reduce((s, v, i) => s + v * dy[i]!, 0);
      const b = headBackwardRef(c, B, x, p, headForwardRef(c, B, x, p, mode), dy, mode);
      const probe = (arr: Float64Array, grad: ArrayLike<number>, name: string) =>
        expectGradientMatchesDifferences(loss, arr, grad, {
          what: `${mode} bias=${bias} ${name}`,
          samples: 8,
          seed: 3,
          eps: 1e-5,
          atol: 1e-7,
          rtol: 1e-5,
        });
      probe(x, b.dx, 'dx');
      for (const [name, g] of b.grads) probe(p.get(name) as Float64Array, g, name);
    }
  });
});
