import type { GpuContext } from '../gpu/context';
import { type MatmulOp, planMatmul } from './matmul';
import { type ColumnSumOp, planColumnSum } from './column_sum';

/** y = x·Wᵀ (+ b) for x [B, in], W [out, in] (PyTorch's layout), b [out], y [B, out]. */
export interface LinearShape {
  B: number;
  inFeatures: number;
  outFeatures: number;
  /** With a bias b [out] (the point head); the image head has none. */
  bias: boolean;
  /** Backward adds into dW and db (gradient accumulation) instead of overwriting them. */
  accumulate?: boolean;
  /** Backward adds into dx instead of overwriting it. */
  accumulateDx?: boolean;
}

export interface LinearBuffers {
  /** [B, in] */
  x: GPUBuffer;
  /** [out, in] */
  w: GPUBuffer;
  /** [out], when shape.bias */
  b?: GPUBuffer;
  /** [B, out] */
  y: GPUBuffer;
  /** [B, out]; with dw (and db when biased) enables the backward. */
  dy?: GPUBuffer;
  /** [B, in]; optional (a first layer needs no input gradient). */
  dx?: GPUBuffer;
  /** [out, in] */
  dw?: GPUBuffer;
  /** [out] */
  db?: GPUBuffer;
}

export interface LinearOp {
  encodeForward(enc: GPUCommandEncoder): void;
  /** dx = dy·W, dW (+)= dyᵀ·x, db (+)= Σ_rows dy. */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** Plans a fully connected layer over planMatmul (forward, dx, dW) and the column-sum kernel (db). */
export async function planLinear(ctx: GpuContext, s: LinearShape, bufs: LinearBuffers): Promise<LinearOp> {
  const { B, inFeatures: I, outFeatures: O } = s;
  if (s.bias && !bufs.b) throw new Error('planLinear: bias requested but no b buffer given');
  const hasBwd = bufs.dy !== undefined && bufs.dw !== undefined;
  if (hasBwd && s.bias && !bufs.db) throw new Error('planLinear: a biased layer needs db for its backward');
  const forward = await planMatmul(
    ctx,
    { batch: 1, M: B, N: O, K: I, transB: true, bias: s.bias ? 'col' : 'none' },
    { a: bufs.x, b: bufs.w, c: bufs.y, bias: s.bias ? bufs.b : undefined },
  );
  const back: (MatmulOp | ColumnSumOp)[] = [];
  if (hasBwd && bufs.dy && bufs.dw) {
    if (bufs.dx) {
      // dx [B, in] = dy [B, out] · W [out, in]
      back.push(
        await planMatmul(
          ctx,
          { batch: 1, M: B, N: I, K: O, accumulate: s.accumulateDx },
          { a: bufs.dy, b: bufs.w, c: bufs.dx },
        ),
      );
    }
    // dW [out, in] = dyᵀ · x, with dy stored [B, out] = [K, M]
    back.push(
      await planMatmul(
        ctx,
        { batch: 1, M: O, N: I, K: B, transA: true, accumulate: s.accumulate },
        { a: bufs.dy, b: bufs.x, c: bufs.dw },
      ),
    );
    if (s.bias && bufs.db) {
      back.push(
        await planColumnSum(ctx, { R: B, C: O, accumulate: s.accumulate }, { x: bufs.dy, out: bufs.db }),
      );
    }
  }
  return {
    encodeForward: (enc) => forward.encode(enc),
    encodeBackward(enc) {
      if (!hasBwd) throw new Error('linear: planned without dy/dw, no backward');
      for (const op of back) op.encode(enc);
    },
    destroy() {
      forward.destroy();
      for (const op of back) op.destroy();
    },
  };
}
