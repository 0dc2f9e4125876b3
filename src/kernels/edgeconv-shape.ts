// The shape, buffers and op of EdgeConv that both plans share (the fused one, src/kernels/edgeconv.ts,
// and the edge-tensor baseline, edgeconv_naive.ts), and the checks of phase 1.
import type { BufferArena } from '../gpu/arena';
import type { BnMode, EdgeConvDims } from './edgeconv-dims';

/**
 * EdgeConv as one fused layer (shaders/edgeconv.wgsl): conv 1×1 on [x_j − x_i ; x_i] → BatchNorm2d
 * over all B·N·k edges → LeakyReLU(0.2) → max over the k neighbours, without the B×2C×N×k edge
 * tensor (DESIGN.md §3). Memory is O(B·N·(Cout + k)) instead of O(B·N·k·C).
 *
 * Layouts: a "slice" tensor [B, ch, N] lives in a bigger buffer at element
 * `offset + b·batchStride + c·N + n` (e.g. DGCNN's [B, 512, N] concat buffer); offsets and strides
 * default to a dense tensor.
 */
export interface EdgeConvShape extends EdgeConvDims {
  /** x (and by default dx): offset and batch stride in elements. */
  inOffset?: number;
  inBatchStride?: number;
  /** y (and by default dy). */
  outOffset?: number;
  outBatchStride?: number;
  dxOffset?: number;
  dxBatchStride?: number;
  dyOffset?: number;
  dyBatchStride?: number;
  /** dx += ... instead of dx = ... (the input also feeds another consumer). */
  accumulateDx?: boolean;
}

/**
 * The caller owns every buffer here; the plan owns its scratch (see EdgeConvOp.bytes).
 * encodeForward reads x, idx, weight, gamma, beta and writes y, argslot (and, in training mode,
 * runningMean and runningVar in place). encodeBackward must follow an encodeForward of the same
 * plan with x, idx and weight unchanged in between (it reuses the forward's P, Q and statistics,
 * including the γ and β the forward saw); it writes dx (or adds to it), and overwrites dWeight,
 * dGamma, dBeta. The backward buffers may be left out for a forward-only plan, which then
 * allocates no backward scratch.
 */
export interface EdgeConvBuffers {
  x: GPUBuffer; // [B, C, N] slice
  idx: GPUBuffer; // [B, N, k] i32, values in [0, N) (kNN: nearest first, self included)
  weight: GPUBuffer; // [Cout, 2C] (PyTorch [Cout, 2C, 1, 1])
  gamma: GPUBuffer; // [Cout]
  beta: GPUBuffer; // [Cout]
  runningMean: GPUBuffer; // [Cout]
  runningVar: GPUBuffer; // [Cout]
  y: GPUBuffer; // [B, Cout, N] slice
  argslot: GPUBuffer; // [B, Cout, N] i32 dense, the winning slot 0..k−1
  dy?: GPUBuffer; // [B, Cout, N] slice
  dx?: GPUBuffer; // [B, C, N] slice
  dWeight?: GPUBuffer; // [Cout, 2C]
  dGamma?: GPUBuffer; // [Cout]
  dBeta?: GPUBuffer; // [Cout]
}

export interface EdgeConvOp {
  /** Bytes of GPU memory the plan allocated (scratch and uniforms), not counting the caller's buffers. */
  readonly bytes: number;
  /** Per channel [Cout, 8]: mean, var (biased), 1/σ, γ, β, and backward coefficients A, c1, c2. */
  readonly stats: GPUBuffer;
  encodeForward(enc: GPUCommandEncoder, mode: BnMode): void;
  encodeBackward(enc: GPUCommandEncoder, mode?: BnMode): void;
  destroy(): void;
}

/** Offsets and batch strides (elements) of the four slice tensors, defaults applied. */
export interface EdgeConvSlices {
  inOff: number;
  inBS: number;
  outOff: number;
  outBS: number;
  dxOff: number;
  dxBS: number;
  dyOff: number;
  dyBS: number;
}

/** Phase 1 (both EdgeConv plans): the shape's integers, k against the points, and the slice layout. */
export function edgeConvSlices(s: EdgeConvShape, who: string): EdgeConvSlices {
  const { B, N, k, C, Cout: O } = s;
  if ([B, N, k, C, O].some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`${who}: bad shape ${JSON.stringify(s)}`);
  }
  // Only k ≤ N: EdgeConv itself has no bound on k (the kNN that builds idx has, see knn-limits.ts).
  if (k > N) throw new Error(`${who}: ${N} points per cloud are fewer than k = ${k} neighbours`);
  const inOff = s.inOffset ?? 0;
  const inBS = s.inBatchStride ?? C * N;
  const outOff = s.outOffset ?? 0;
  const outBS = s.outBatchStride ?? O * N;
  return {
    inOff,
    inBS,
    outOff,
    outBS,
    dxOff: s.dxOffset ?? inOff,
    dxBS: s.dxBatchStride ?? inBS,
    dyOff: s.dyOffset ?? outOff,
    dyBS: s.dyBatchStride ?? outBS,
  };
}

/** Phase 1 (both plans): every caller buffer spans its slice; the backward needs all its buffers. */
export function checkEdgeConvBuffers(
  who: string,
  s: EdgeConvShape,
  l: EdgeConvSlices,
  bufs: EdgeConvBuffers,
) {
  const { B, N, C, Cout: O } = s;
  checkSlice(bufs.x, 'x', B, C, N, l.inOff, l.inBS);
  checkSlice(bufs.y, 'y', B, O, N, l.outOff, l.outBS);
  if (bufs.dy === undefined) return false;
  for (const name of ['dx', 'dWeight', 'dGamma', 'dBeta'] as const) {
    if (!bufs[name]) throw new Error(`${who}: dy given but not ${name}`);
  }
  checkSlice(bufs.dy, 'dy', B, O, N, l.dyOff, l.dyBS);
  checkSlice(bufs.dx!, 'dx', B, C, N, l.dxOff, l.dxBS);
  return true;
}

/** Elements a slice tensor [B, ch, N] at (offset, batchStride) spans; throws when `buf` is too small. */
export function checkSlice(
  buf: GPUBuffer,
  name: string,
  B: number,
  ch: number,
  N: number,
  off: number,
  bs: number,
) {
  if (bs < ch * N && B > 1) throw new Error(`edgeconv: ${name} batch stride ${bs} < ${ch}·${N}`);
  const need = (off + (B - 1) * bs + ch * N) * 4;
  if (buf.size < need) throw new Error(`edgeconv: ${name} holds ${buf.size} bytes, needs ${need}`);
}

/** A planned phase of an EdgeConv plan: what encodes it in a BatchNorm mode, and what it owns besides the arena. */
export interface EdgeConvPhase {
  encode(enc: GPUCommandEncoder, mode: BnMode): void;
  destroy(): void;
}

/**
 * The EdgeConvOp of a single-conv plan (planEdgeConv, planEdgeConvNaive) from its phases: the
 * training-mode guard of one edge a channel, the backward refused when it was not planned.
 */
export function assembleEdgeConvOp(
  p: {
    arena: BufferArena;
    /** The plan's uniform (outside the arena) and its per-channel statistics. */
    scratch: { params: GPUBuffer; stats: GPUBuffer };
    /** The reverse adjacency, planned with the backward: its uniform is outside the arena too. */
    adjacency?: { uniformBytes: number };
    /** B·N·k edges a channel. */
    edges: number;
    forward: EdgeConvPhase;
    backward?: EdgeConvPhase;
  },
  /** What encodeBackward throws when the plan has no backward. */
  noBackward: string,
): EdgeConvOp {
  return {
    bytes: p.arena.totalBytes + p.scratch.params.size + (p.adjacency?.uniformBytes ?? 0),
    stats: p.scratch.stats,
    encodeForward(enc, mode) {
      if (mode === 'train' && p.edges < 2) {
        throw new Error('edgeconv: training-mode BatchNorm needs more than one edge per channel');
      }
      p.forward.encode(enc, mode);
    },
    encodeBackward(enc, mode = 'train') {
      if (!p.backward) throw new Error(noBackward);
      p.backward.encode(enc, mode);
    },
    destroy() {
      p.scratch.params.destroy();
      p.forward.destroy();
      p.backward?.destroy();
      p.arena.destroy();
    },
  };
}
