import type { GpuContext } from '../gpu/context';
import { type MatmulOp, planMatmul } from '../kernels/matmul';

/**
 * A 1×1 convolution without bias over point features: y[b] = W · x[b] for x [B, Cin, N] (a
 * channel window of a possibly wider buffer), W [Cout, Cin] (PyTorch's [Cout, Cin, 1] or
 * [Cout, Cin, 1, 1] byte for byte), y [B, Cout, N].
 */
export interface Conv1x1Shape {
  B: number;
  Cin: number;
  Cout: number;
  N: number;
  /** x starts at this element of its buffer (default 0). */
  xOffset?: number;
  /** Elements between clouds of x (default Cin·N). */
  xBatchStride?: number;
  /** Backward adds into dx instead of overwriting it. */
  accumulateDx?: boolean;
}

export interface Conv1x1Buffers {
  x: GPUBuffer;
  /** [Cout, Cin] */
  w: GPUBuffer;
  /** [B, Cout, N] */
  y: GPUBuffer;
  /** [B, Cout, N]; with dw enables the backward. */
  dy?: GPUBuffer;
  /** Shaped like x (same offset and stride); optional (the first layer needs no input gradient). */
  dx?: GPUBuffer;
  /** [Cout, Cin], overwritten by each backward. */
  dw?: GPUBuffer;
}

export interface Conv1x1Op {
  encodeForward(enc: GPUCommandEncoder): void;
  /** dx (+)= Wᵀ·dy[b]; dW = Σ_b dy[b]·x[b]ᵀ (summed over clouds in order b = 0, 1, …). */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/**
 * Plans the forward (one batched matmul, W broadcast with stride 0), the input gradient (one
 * batched matmul with Wᵀ) and the weight gradient: one accumulating matmul per cloud, so the sum
 * over the batch has a fixed order and needs no [B, Cout, Cin] scratch.
 */
export async function planConv1x1(
  ctx: GpuContext,
  s: Conv1x1Shape,
  bufs: Conv1x1Buffers,
): Promise<Conv1x1Op> {
  const { B, Cin, Cout, N } = s;
  const xOff = s.xOffset ?? 0;
  const xStride = s.xBatchStride ?? Cin * N;
  const forward = await planMatmul(
    ctx,
    { batch: B, M: Cout, N, K: Cin, strideA: 0, strideB: xStride, offsetB: xOff },
    { a: bufs.w, b: bufs.x, c: bufs.y },
  );
  const back: MatmulOp[] = [];
  const hasBwd = bufs.dy !== undefined && bufs.dw !== undefined;
  if (bufs.dy && bufs.dw) {
    if (bufs.dx) {
      // dx[b] [Cin, N] = Wᵀ · dy[b], W stored [Cout, Cin] = [K, M]
      back.push(
        await planMatmul(
          ctx,
          {
            batch: B,
            M: Cin,
            N,
            K: Cout,
            transA: true,
            strideA: 0,
            strideC: xStride,
            offsetC: xOff,
            accumulate: s.accumulateDx,
          },
          { a: bufs.w, b: bufs.dy, c: bufs.dx },
        ),
      );
    }
    // dW [Cout, Cin] (+)= dy[b] [Cout, N] · x[b]ᵀ, x[b] stored [Cin, N] = [N_out, K]
    for (let b = 0; b < B; b++) {
      back.push(
        await planMatmul(
          ctx,
          {
            batch: 1,
            M: Cout,
            N: Cin,
            K: N,
            transB: true,
            offsetA: b * Cout * N,
            offsetB: xOff + b * xStride,
            accumulate: b > 0,
          },
          { a: bufs.dy, b: bufs.x, c: bufs.dw },
        ),
      );
    }
  }
  return {
    encodeForward: (enc) => forward.encode(enc),
    encodeBackward(enc) {
      if (!hasBwd) throw new Error('conv1x1: planned without dy/dw, no backward');
      for (const op of back) op.encode(enc);
    },
    destroy() {
      forward.destroy();
      for (const op of back) op.destroy();
    },
  };
}
