import { EDGECONV_CHUNK_POINTS } from '../kernels/edgeconv';
import type { BufferSpec } from './buffer-plan';

/**
 * What the kNN and fused EdgeConv plans allocate for themselves (src/kernels/knn.ts and
 * src/kernels/edgeconv.ts own these buffers, not the model's arena). Listed here so the byte
 * budget is complete; the DGCNN test checks the EdgeConv figure against EdgeConvOp.bytes.
 */

const f32 = (n: number) => Math.max(4, n * 4);
/** createParams rounds a 16-field uniform block to 64 bytes. */
const EDGECONV_UNIFORM = 64;

/**
 * planEdgeConv's scratch: Wcat [2O, C], PQ [B, 2O, N], the statistics partials [O, chunks, 2]
 * and stats [O, 8]; with the backward also the reverse adjacency (deg [B, N], adj
 * [B, N+1] + [B, N·k]), dz [B, O, N], dPQ [B, 2O, N] and the per-cloud weight gradients
 * G [B, 2O, C]; plus one uniform block (two with the backward).
 */
export function edgeConvScratchBytes(
  d: { B: number; N: number; k: number; C: number; Cout: number },
  backward: boolean,
): number {
  const { B, N, k, C, Cout: O } = d;
  const chunks = Math.ceil((B * N) / EDGECONV_CHUNK_POINTS);
  let bytes = f32(2 * O * C) + f32(B * 2 * O * N) + f32(O * chunks * 2) + f32(O * 8) + EDGECONV_UNIFORM;
  if (backward) {
    bytes += f32(B * N) + f32(B * (N + 1) + B * N * k);
    bytes += f32(B * O * N) + f32(B * 2 * O * N) + f32(B * 2 * O * C) + EDGECONV_UNIFORM;
  }
  return bytes;
}

export function edgeConvScratchSpecs(
  name: string,
  d: { B: number; N: number; k: number; C: number; Cout: number },
  backward: boolean,
): BufferSpec[] {
  return [{ name: `${name}.scratch`, bytes: edgeConvScratchBytes(d, backward), group: 'kernel-scratch' }];
}

/** planKnn's merge scratch: distances and indices [splits, k, B·N] each when splits > 1. */
export function knnScratchSpecs(
  name: string,
  d: { B: number; N: number; k: number },
  splits: number,
): BufferSpec[] {
  if (splits <= 1) return [];
  return [{ name: `${name}.scratch`, bytes: 2 * splits * d.k * d.B * d.N * 4, group: 'kernel-scratch' }];
}
