import edgeGatherWgsl from '../../shaders/edge_gather.wgsl?raw';
import type { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { bindAt } from '../gpu/bind';
import { planReverseAdjacency, type ReverseAdjacency, reverseAdjacencyScratch } from './edgeconv-adjacency';
import type { ScratchSpec } from './scratch';

const WG = 256;

/**
 * The materialised edge tensor E [B, 2C, N·k] = [x_j − x_i ; x_i] over the kNN graph idx
 * [B, N, k] (PyTorch's get_graph_feature, edge m = i·k + s), from x [B, C, N] read as a channel
 * slice (offset, batchStride), and its backward onto x.
 */
export interface EdgeGatherShape {
  B: number;
  N: number;
  k: number;
  C: number;
  /** x (and dx) start at this element, clouds batchStride elements apart (default 0, C·N). */
  offset?: number;
  batchStride?: number;
  /** Backward adds into dx instead of overwriting it. */
  accumulateDx?: boolean;
}

export interface EdgeGatherBuffers {
  x: GPUBuffer;
  /** [B, N, k] i32, values in [0, N). */
  idx: GPUBuffer;
  /** [B, 2C, N·k] */
  E: GPUBuffer;
  /** With dx: the backward. dE [B, 2C, N·k]; dx shaped like x (same slice). */
  dE?: GPUBuffer;
  dx?: GPUBuffer;
}

export interface EdgeGatherOp {
  encodeForward(enc: GPUCommandEncoder): void;
  /** Rebuilds the reverse adjacency of idx, then dx (+)= the gradient of E. */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** What the plan allocates in the arena (the backward's reverse adjacency) and its uniforms. */
export function edgeGatherScratch(d: { B: number; N: number; k: number }, backward: boolean): ScratchSpec[] {
  return [
    { name: 'params', bytes: 32 },
    ...(backward ? reverseAdjacencyScratch(d).map((s) => ({ ...s, name: `adj.${s.name}` })) : []),
  ];
}

export async function planEdgeGather(
  ctx: GpuContext,
  s: EdgeGatherShape,
  bufs: EdgeGatherBuffers,
  arena: BufferArena,
  prefix: string,
): Promise<EdgeGatherOp> {
  const { B, N, k, C } = s;
  if ([B, N, k, C].some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`planEdgeGather: bad shape ${JSON.stringify(s)}`);
  }
  if (k > N) throw new Error(`planEdgeGather: ${N} points per cloud are fewer than k = ${k} neighbours`);
  const off = s.offset ?? 0;
  const bs = s.batchStride ?? C * N;
  const need = (off + (B - 1) * bs + C * N) * 4;
  if (bufs.x.size < need) throw new Error(`planEdgeGather: x holds ${bufs.x.size} bytes, needs ${need}`);
  if (bufs.E.size < B * 2 * C * N * k * 4) throw new Error('planEdgeGather: E is smaller than [B, 2C, N·k]');
  checkBufferSize(ctx.limits, bufs.E.size, 'the edge tensor', 'the batch size, the point count or k');
  const hasBwd = bufs.dE !== undefined && bufs.dx !== undefined;
  let adj: ReverseAdjacency | undefined;
  if (hasBwd) adj = await planReverseAdjacency(ctx, { B, N, k }, bufs.idx, arena, `${prefix}.adj`);
  const params = createParams(ctx, `${prefix}.params`, [
    ['u32', B],
    ['u32', N],
    ['u32', k],
    ['u32', C],
    ['u32', off],
    ['u32', bs],
    ['u32', s.accumulateDx ? 1 : 0],
    ['u32', adj?.listBase ?? 0],
  ]);
  const [fwd, bwd] = await Promise.all([
    ctx.pipelines.compute(edgeGatherWgsl, 'forward', { WG }, 'edge_gather'),
    hasBwd ? ctx.pipelines.compute(edgeGatherWgsl, 'backward', { WG }, 'edge_gather') : undefined,
  ]);
  const bindF = bindAt(ctx, fwd, [
    [0, params.buffer],
    [1, bufs.x],
    [2, bufs.idx],
    [3, bufs.E],
  ]);
  const bindB =
    bwd && adj
      ? bindAt(ctx, bwd, [
          [0, params.buffer],
          [4, bufs.dE!],
          [5, adj.adj],
          [6, bufs.dx!],
        ])
      : undefined;
  const gF = grid1D(ctx, Math.ceil((B * C * N * k) / WG));
  const gB = grid1D(ctx, Math.ceil((B * C * N) / WG));
  return {
    encodeForward: (enc) => encodePass(enc, fwd, bindF, gF, 'edge_gather.forward'),
    encodeBackward(enc) {
      if (!bwd || !bindB || !adj) throw new Error('edge gather: planned without dE/dx, no backward');
      adj.encode(enc);
      encodePass(enc, bwd, bindB, gB, 'edge_gather.backward');
    },
    destroy() {
      params.buffer.destroy();
      adj?.destroy();
    },
  };
}
