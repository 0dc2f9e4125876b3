import naiveWgsl from '../../shaders/knn_naive.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { encodePass } from '../gpu/dispatch';
import { checkBufferSize, checkLimit } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { checkKnnShape, type KnnBuffers, type KnnOp, type KnnShape } from './knn';

/** Bytes of the B×N×N distance matrix the naive kNN materialises. */
export function naiveKnnMatrixBytes(s: KnnShape): number {
  return s.B * s.N * s.N * 4;
}

/**
 * The naive kNN (shaders/knn_naive.wgsl), a baseline for planKnn: writes the whole B×N×N
 * distance matrix, then one thread per query selects from its row. Same semantics as planKnn.
 */
export async function planKnnNaive(ctx: GpuContext, s: KnnShape, bufs: KnnBuffers): Promise<KnnOp> {
  checkKnnShape(ctx, s);
  const { B, N, C, k } = s;
  checkBufferSize(ctx.limits, naiveKnnMatrixBytes(s), 'the naive kNN distance matrix', 'the batch size');
  const l = ctx.limits;
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', Math.ceil(N / 16), 'naive kNN', 'the point count');
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', Math.ceil((B * N) / 64), 'naive kNN', 'the batch size');
  const dist = ctx.device.createBuffer({
    label: 'knn_naive.dist',
    size: naiveKnnMatrixBytes(s),
    usage: GPUBufferUsage.STORAGE,
  });
  const params = createParams(ctx, 'knn_naive.params', [
    ['u32', N],
    ['u32', C],
    ['u32', k],
    ['u32', s.batchStride ?? C * N],
    ['u32', s.offset ?? 0],
    ['u32', B],
  ]);
  const pDist = await ctx.pipelines.compute(naiveWgsl, 'distances', {}, 'knn_naive');
  const pRows = await ctx.pipelines.compute(naiveWgsl, 'rows', {}, 'knn_naive');
  // distances uses bindings 0, 1, 3; rows uses 1, 2, 3.
  const layoutOf = (p: GPUComputePipeline, entries: [number, GPUBuffer][]) =>
    ctx.device.createBindGroup({
      layout: p.getBindGroupLayout(0),
      entries: entries.map(([binding, buffer]) => ({ binding, resource: { buffer } })),
    });
  const bDist = layoutOf(pDist, [
    [0, bufs.x],
    [1, dist],
    [3, params.buffer],
  ]);
  const bRows = layoutOf(pRows, [
    [1, dist],
    [2, bufs.idx],
    [3, params.buffer],
  ]);
  return {
    splits: 1,
    encode: (enc) => {
      encodePass(enc, pDist, bDist, [Math.ceil(N / 16), Math.ceil(N / 16), B], 'knn_naive.distances');
      encodePass(enc, pRows, bRows, [Math.ceil((B * N) / 64), 1, 1], 'knn_naive.rows');
    },
    destroy: () => {
      dist.destroy();
      params.buffer.destroy();
    },
  };
}
