import columnSumWgsl from '../../shaders/column_sum.wgsl?raw';
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { createParams } from '../gpu/params';
import { bindAt } from '../gpu/bind';

/** out[c] = Σ_r x[r, c] over a row-major x [R, C] (out += ... when accumulate). */
export interface ColumnSumShape {
  R: number;
  C: number;
  accumulate?: boolean;
}

export interface ColumnSumOp {
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** Most row chunks per column; pass 2 sums them one after another. */
const MAX_CHUNKS = 256;

/** Rows per chunk: at least 64 (16 per lane), more when R is large so the chunks stay ≤ MAX_CHUNKS. */
export function columnSumChunk(R: number): number {
  return Math.max(64, Math.ceil(R / MAX_CHUNKS));
}

/**
 * Plans a deterministic column sum (e.g. a bias gradient, the column sums of dy [B, out]).
 * Built for wide matrices (C ≥ 64): each workgroup covers 64 columns of one row chunk.
 */
export async function planColumnSum(
  ctx: GpuContext,
  s: ColumnSumShape,
  bufs: { x: GPUBuffer; out: GPUBuffer },
): Promise<ColumnSumOp> {
  if (s.R < 1 || s.C < 1) throw new Error(`planColumnSum: empty matrix [${s.R}, ${s.C}]`);
  const chunk = columnSumChunk(s.R);
  const G = Math.ceil(s.R / chunk);
  const [partial, combine] = await Promise.all([
    ctx.pipelines.compute(columnSumWgsl, 'partial', {}, 'column_sum'),
    ctx.pipelines.compute(columnSumWgsl, 'combine', {}, 'column_sum'),
  ]);
  const params = createParams(ctx, 'column_sum.params', [
    ['u32', s.R],
    ['u32', s.C],
    ['u32', chunk],
    ['u32', G],
    ['u32', s.accumulate ? 1 : 0],
  ]);
  // part: [G, C] partial sums; a 4-byte stand-in when pass 1 writes out directly.
  const part = createStorageBuffer(ctx, G > 1 ? G * s.C * 4 : 4, 'column_sum.part');
  const bind1 = bindAt(ctx, partial, [
    [0, bufs.x],
    [1, part],
    [2, bufs.out],
    [3, params.buffer],
  ]);
  const bind2 =
    G > 1
      ? bindAt(ctx, combine, [
          [1, part],
          [2, bufs.out],
          [3, params.buffer],
        ])
      : undefined;
  const groups1 = grid1D(ctx, Math.ceil(s.C / 64) * G);
  const groups2 = grid1D(ctx, Math.ceil(s.C / 64));
  return {
    encode(enc) {
      encodePass(enc, partial, bind1, groups1, 'column_sum.partial');
      if (bind2) encodePass(enc, combine, bind2, groups2, 'column_sum.combine');
    },
    destroy() {
      params.buffer.destroy();
      part.destroy();
    },
  };
}
