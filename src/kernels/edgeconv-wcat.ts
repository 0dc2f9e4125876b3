import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import type { EdgeConvSlices } from './edgeconv-shape';
import { planMatmul } from './matmul';

// The first conv of the fused EdgeConvs (planEdgeConv, planEdgeConv2) as one matmul, with the
// passes of shaders/parts/edgeconv_wcat.wgsl: forward Wcat = [Wa ; Wb − Wa] (prep_w), then
// PQ = Wcat·X per cloud; backward dX = Wcatᵀ·dPQ, G = dPQ·Xᵀ per cloud, then dW (dw_combine).

/** The conv's sizes: B clouds of N points, C input channels, R output channels. */
export interface WcatDims {
  B: number;
  N: number;
  C: number;
  R: number;
}

/** A planned pass sequence and what it owns. */
export interface WcatPhase {
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** What both phases need of the including shader: its pipeline of an entry, its uniform, WG and the label prefix. */
export interface WcatShader {
  pipeline: GPUComputePipeline;
  uniform: GPUBuffer;
  WG: number;
  /** 'edgeconv', 'edgeconv2': the passes are labelled `${label}.prep_w` and so on. */
  label: string;
}

/** prep_w (W [R, 2C] → Wcat [2R, C]) then PQ [B, 2R, N] = Wcat·X over the input slice. */
export async function planWcatForward(
  ctx: GpuContext,
  d: WcatDims,
  l: EdgeConvSlices,
  prepW: WcatShader,
  bufs: { weight: GPUBuffer; wcat: GPUBuffer; x: GPUBuffer; pq: GPUBuffer },
): Promise<WcatPhase> {
  const { B, N, C, R } = d;
  const mmPQ = await planMatmul(
    ctx,
    { batch: B, M: 2 * R, N, K: C, strideA: 0, offsetB: l.inOff, strideB: l.inBS, strideC: 2 * R * N },
    { a: bufs.wcat, b: bufs.x, c: bufs.pq },
  );
  const bind = bindAt(ctx, prepW.pipeline, [
    [0, prepW.uniform],
    [1, bufs.weight],
    [2, bufs.wcat],
  ]);
  const grid = grid1D(ctx, Math.ceil((R * C) / prepW.WG));
  return {
    encode(enc) {
      encodePass(enc, prepW.pipeline, bind, grid, `${prepW.label}.prep_w`);
      mmPQ.encode(enc);
    },
    destroy: () => mmPQ.destroy(),
  };
}

/**
 * dX (the dx slice, added to when `accumulateDx`) = Wcatᵀ·dPQ, G [B, 2R, C] = dPQ·Xᵀ per cloud,
 * then dW [R, 2C] from G (dw_combine, overwritten).
 */
export async function planWcatBackward(
  ctx: GpuContext,
  d: WcatDims,
  l: EdgeConvSlices,
  accumulateDx: boolean,
  dwCombine: WcatShader,
  bufs: { wcat: GPUBuffer; dpq: GPUBuffer; x: GPUBuffer; dx: GPUBuffer; g: GPUBuffer; dWeight: GPUBuffer },
): Promise<WcatPhase> {
  const { B, N, C, R } = d;
  const mmDx = await planMatmul(
    ctx,
    {
      batch: B,
      M: C,
      N,
      K: 2 * R,
      transA: true,
      strideA: 0,
      strideB: 2 * R * N,
      offsetC: l.dxOff,
      strideC: l.dxBS,
      accumulate: accumulateDx,
    },
    { a: bufs.wcat, b: bufs.dpq, c: bufs.dx },
  );
  const mmG = await planMatmul(
    ctx,
    {
      batch: B,
      M: 2 * R,
      N: C,
      K: N,
      transB: true,
      strideA: 2 * R * N,
      offsetB: l.inOff,
      strideB: l.inBS,
      strideC: 2 * R * C,
    },
    { a: bufs.dpq, b: bufs.x, c: bufs.g },
  );
  const bind = bindAt(ctx, dwCombine.pipeline, [
    [0, dwCombine.uniform],
    [19, bufs.g],
    [20, bufs.dWeight],
  ]);
  const grid = grid1D(ctx, Math.ceil((R * 2 * C) / dwCombine.WG));
  return {
    encode(enc) {
      mmDx.encode(enc);
      mmG.encode(enc);
      encodePass(enc, dwCombine.pipeline, bind, grid, `${dwCombine.label}.dw_combine`);
    },
    destroy() {
      mmDx.destroy();
      mmG.destroy();
    },
  };
}
