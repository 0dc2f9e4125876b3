// The interface of shaders/edgeconv.wgsl that the fused plan and the reverse adjacency share: its
// workgroup sizes, its uniform block field for field, and its pipelines.
import edgeconvWgsl from '../../shaders/edgeconv.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { createParams } from '../gpu/params';
import { BN_EPS, BN_MOMENTUM } from './edgeconv-dims';

export const WG = 64;
export const WG_CHANNEL = 64;
/** Points per partial sum of the BN statistics (the shader's override CH takes this value). */
export const CH = 64;
/** Fields of the uniform block (struct Params in shaders/edgeconv.wgsl). */
export const PARAM_FIELDS = 16;

/** The uniform of shaders/edgeconv.wgsl, field for field. */
export interface EdgeConvParams {
  B: number;
  N: number;
  k: number;
  C: number;
  O: number;
  chunks: number;
  yOff: number;
  yBS: number;
  dyOff: number;
  dyBS: number;
  listBase: number;
  /** BatchNorm momentum (BN_MOMENTUM when left out). */
  momentum?: number;
}

export function createEdgeConvParams(ctx: GpuContext, label: string, v: EdgeConvParams) {
  const n = v.B * v.N * v.k;
  return createParams(ctx, label, [
    ['u32', v.B],
    ['u32', v.N],
    ['u32', v.k],
    ['u32', v.C],
    ['u32', v.O],
    ['u32', v.chunks],
    ['u32', v.yOff],
    ['u32', v.yBS],
    ['u32', v.dyOff],
    ['u32', v.dyBS],
    ['u32', v.listBase],
    ['f32', 1 / n],
    ['f32', n > 1 ? n / (n - 1) : 0],
    ['f32', BN_EPS],
    ['f32', v.momentum ?? BN_MOMENTUM],
    ['u32', 0],
  ]);
}

export function edgeconvPipeline(ctx: GpuContext, entry: string, constants: Record<string, number> = {}) {
  return ctx.pipelines.compute(edgeconvWgsl, entry, { WG, CH, ...constants }, 'edgeconv');
}
