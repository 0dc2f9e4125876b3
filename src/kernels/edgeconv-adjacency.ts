// The reverse adjacency of a kNN graph (who has point i among its neighbours), built on the GPU by
// shaders/edgeconv.wgsl's adj_* entry points; the EdgeConv backwards gather over it.
import type { BufferArena } from '../gpu/arena';
import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkLimit } from '../gpu/limits';
import { paramsBytes } from '../gpu/params';
import { createEdgeConvParams, edgeconvPipeline, PARAM_FIELDS, WG } from './edgeconv-params';
import { type ScratchSpec, scratchSize, words } from './scratch';

/** planReverseAdjacency's buffers: deg [B, N], adj [B, N+1] + [B, N·k], and its uniform block. */
export function reverseAdjacencyScratch(d: { B: number; N: number; k: number }): ScratchSpec[] {
  const { B, N, k } = d;
  return [
    words('deg', B * N),
    words('adj', B * (N + 1) + B * N * k),
    { name: 'adj.params', bytes: paramsBytes(PARAM_FIELDS) },
  ];
}

export interface ReverseAdjacency {
  /** [B, N+1] row starts, then at `listBase` the [B, N·k] in-edge lists (edge id i·k + s, ascending). */
  readonly adj: GPUBuffer;
  readonly listBase: number;
  /** Bytes of its uniform buffer (its storage lives in the caller's arena). */
  readonly uniformBytes: number;
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/**
 * In-edges of every point from idx [B, N, k], built on the GPU in a fixed order (count with u32
 * atomics, scan, stable fill), so sums over them are deterministic. Buffers go into `arena`.
 */
export async function planReverseAdjacency(
  ctx: GpuContext,
  d: { B: number; N: number; k: number },
  idx: GPUBuffer,
  arena: BufferArena,
  prefix: string,
): Promise<ReverseAdjacency> {
  const { B, N, k } = d;
  checkLimit(
    ctx.limits,
    'maxComputeWorkgroupsPerDimension',
    B,
    'edgeconv adjacency (one group per cloud)',
    'the batch size',
  );
  const listBase = B * (N + 1);
  const size = (name: string) => scratchSize(reverseAdjacencyScratch(d), name);
  const deg = arena.alloc(`${prefix}.deg`, size('deg'), 'scratch'); // [B, N]
  const adj = arena.alloc(`${prefix}.adj`, size('adj'), 'scratch'); // [B, N+1] + [B, N·k]
  const params = createEdgeConvParams(ctx, `${prefix}.adj.params`, {
    B,
    N,
    k,
    C: 0,
    O: 0,
    chunks: 0,
    yOff: 0,
    yBS: 0,
    dyOff: 0,
    dyBS: 0,
    listBase,
  });
  const [count, scan, fill] = await Promise.all(
    ['adj_count', 'adj_scan', 'adj_fill'].map((e) => edgeconvPipeline(ctx, e)),
  );
  const u = params.buffer;
  const bCount = bindAt(
    ctx,
    count!,
    [
      [0, u],
      [4, idx],
      [15, deg],
    ],
    'edgeconv.adj_count',
  );
  const bScan = bindAt(
    ctx,
    scan!,
    [
      [0, u],
      [16, deg],
      [17, adj],
    ],
    'edgeconv.adj_scan',
  );
  const bFill = bindAt(
    ctx,
    fill!,
    [
      [0, u],
      [4, idx],
      [16, deg],
      [17, adj],
    ],
    'edgeconv.adj_fill',
  );
  const gCount = grid1D(ctx, Math.ceil((B * N * k) / WG));
  return {
    adj,
    listBase,
    uniformBytes: params.buffer.size,
    encode(enc) {
      enc.clearBuffer(deg);
      encodePass(enc, count!, bCount, gCount, 'edgeconv.adj_count');
      encodePass(enc, scan!, bScan, [B, 1, 1], 'edgeconv.adj_scan');
      encodePass(enc, fill!, bFill, [B, 1, 1], 'edgeconv.adj_fill');
    },
    destroy: () => params.buffer.destroy(),
  };
}
