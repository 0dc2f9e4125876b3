/**
 * One check for every op, in the style of tinygrad's test_ops: a test describes an op once (its
 * buffers as host arrays, its plan, its float64 reference forward and analytic backward, its
 * tolerances) and `checkOp` / `checkGradients` do the rest:
 *
 * - `checkOp` creates and fills the GPU buffers, plans the op, runs the forward, reads back and
 *   compares the forward's outputs with the reference, runs the backward, reads back and compares
 *   the gradient buffers with the analytic backward, and destroys everything (also on failure);
 * - `checkGradients` checks the analytic backward against central finite differences of the
 *   reference forward (float64, on the CPU) for every input that has a gradient.
 *
 * Buffer names are the plan's own (`x`, `dy`, `dx` ...), so `data`'s record is passed to `plan`
 * as GPU buffers of the same names. See docs/ARCHITECTURE.md (Tests) for an example.
 */
import type { GpuContext } from '../src/gpu/context';
import { createBufferFrom, readBufferBytes, submitAndWait } from '../src/gpu/buffers';
import { Rng } from '../src/util/random';
import { expectClose, expectGradientMatchesDifferences } from './numeric';

/** Host contents of a buffer: float data, or integer data (indices, counts) compared exactly. */
export type HostArray = Float32Array | Int32Array | Uint32Array;
export type HostBuffers = Record<string, HostArray>;
/** Expected contents of output buffers (float64 from a reference, or integers); undefined entries are skipped. */
export type Expected = Record<string, ArrayLike<number> | undefined>;
/** [atol, rtol]: |got − want| ≤ atol + rtol·|want| elementwise. */
export type Tol = readonly [atol: number, rtol: number];
/** A tolerance for every buffer, or per buffer name (a name without an entry fails loudly). */
export type TolSpec<S> = Tol | ((s: S, buffer: string, data: HostBuffers) => Tol);

export interface PlannedOp {
  destroy(): void;
}

/** A buffer the plan allocates itself (e.g. pooling's arg-max), read back after the forward. */
export interface OwnedBuffer {
  buffer: GPUBuffer;
  type: 'f32' | 'i32' | 'u32';
  count: number;
}

export interface OpSpec<S, P extends PlannedOp> {
  /** Printed in failure messages, e.g. 'pool'. */
  name: string;
  /**
   * Host contents of every buffer the plan binds, by the plan's buffer names: inputs filled with
   * random data, outputs with what they hold before the op runs (zeros, or the base an
   * accumulating op adds into). Draw everything from `rng` so a seed fixes the case.
   */
  data(s: S, rng: Rng): HostBuffers;
  plan(ctx: GpuContext, s: S, bufs: Record<string, GPUBuffer>): Promise<P>;
  /** Buffers the plan owns that the reference also predicts (read after the forward). */
  owned?(op: P, s: S): Record<string, OwnedBuffer | undefined>;
  forward: {
    /** Records the forward passes (default: `op.encodeForward(enc)`). */
    encode?(op: P, enc: GPUCommandEncoder, s: S): void;
    /**
     * Instead of `encode`, for an op that runs in several submits with host writes between them
     * (an optimizer's steps): runs them and waits.
     */
    run?(op: P, ctx: GpuContext, bufs: Record<string, GPUBuffer>, data: HostBuffers, s: S): Promise<void>;
    /** Reference forward: the expected contents of the forward's output buffers. */
    ref(s: S, data: HostBuffers): Expected;
    tol: TolSpec<S>;
    /**
     * For outputs not compared elementwise (kNN indices on float inputs, where near-ties may
     * swap): called instead of the tolerance check, throws on a mismatch.
     */
    check?(buffer: string, got: HostArray, want: ArrayLike<number>, s: S, data: HostBuffers): void;
  };
  backward?: {
    /** Records the backward passes (default: `op.encodeBackward(enc)`). */
    encode?(op: P, enc: GPUCommandEncoder, s: S): void;
    /**
     * Analytic backward: the expected contents of the gradient buffers after the backward, i.e.
     * the gradient plus the buffer's prior contents where the op accumulates. It reads the
     * upstream gradients (and accumulation bases) from `data`.
     */
    ref(s: S, data: HostBuffers): Expected;
    tol: TolSpec<S>;
  };
  /**
   * Central differences of `forward.ref`, compared with `backward.ref` (see checkGradients), or
   * with `forward.ref` itself for a loss whose one step writes the loss and its gradient.
   */
  gradients?: {
    /**
     * Forward output → the buffer holding its upstream gradient, e.g. `{ y: 'dy' }`; a number is
     * that cotangent for every element (1 for a loss buffer: L is the loss itself).
     */
    cotangents: Record<string, string | number>;
    /** Input → the buffer receiving its gradient, e.g. `{ x: 'dx', w: 'dw' }`. */
    inputs: Record<string, string>;
    /** Step of the central difference (default 1e-4; the reference runs in float64). */
    eps?: number;
    /** Positions probed per input (default 24, spread by `sampleIndices`). */
    samples?: number;
    /** Default [1e-6, 1e-5]. */
    tol?: Tol;
    /** Positions where the op has a kink (ReLU at 0, a max near a tie): no difference there. */
    skip?(input: string, data: HostBuffers, i: number): boolean;
    /** Positions to probe besides the sampled ones (e.g. some that receive a max's gradient). */
    alsoAt?(input: string, data: HostBuffers, s: S): number[];
  };
}

function tolFor<S>(t: TolSpec<S>, s: S, buffer: string, data: HostBuffers): Tol {
  return typeof t === 'function' ? t(s, buffer, data) : t;
}

async function readBack(
  ctx: GpuContext,
  buffer: GPUBuffer,
  like: HostArray | OwnedBuffer,
): Promise<HostArray> {
  const type =
    'type' in like
      ? like.type
      : like instanceof Int32Array
        ? 'i32'
        : like instanceof Uint32Array
          ? 'u32'
          : 'f32';
  const count = 'type' in like ? like.count : like.length;
  const bytes = await readBufferBytes(ctx, buffer, count * 4);
  return type === 'i32'
    ? new Int32Array(bytes)
    : type === 'u32'
      ? new Uint32Array(bytes)
      : new Float32Array(bytes);
}

function compare(got: HostArray, want: ArrayLike<number>, tol: Tol, what: string): void {
  if (got instanceof Float32Array) {
    expectClose(got, want, tol[0], tol[1], what);
    return;
  }
  // Integers (indices, counts) must match exactly.
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} elements, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i])
      throw new Error(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (exact)`);
  }
}

/** What `checkOp` read back, for assertions of its own (ties, bit-identity on rerun). */
export interface OpRun<P = PlannedOp> {
  /** The plan, already destroyed: for its properties (e.g. conv2d's wgradSplits), not its buffers. */
  op: P;
  data: HostBuffers;
  /** Buffers after the forward (the forward's outputs and owned buffers). */
  forward: Record<string, HostArray>;
  /** Buffers after the backward (the gradient buffers); empty without a backward. */
  backward: Record<string, HostArray>;
}

export interface CheckOptions {
  /** Seed of the data (default 1). */
  seed?: number;
  /** Host contents to use instead of `spec.data` (hand-made ties, constants). */
  data?: HostBuffers;
  /** Run on this context (e.g. one with lowered limits) instead of the test file's. */
  ctx?: GpuContext;
  /** The forward's tolerance for this run instead of the spec's. */
  forwardTol?: Tol;
}

/**
 * Runs the op on the GPU for shape `s` and compares the forward with `spec.forward.ref` and the
 * backward with `spec.backward.ref`, each with its tolerance. Buffers are created from the host
 * data, read back with the host array's type, and destroyed (with the op) even when a check fails.
 */
export async function checkOp<S, P extends PlannedOp>(
  ctx: GpuContext,
  spec: OpSpec<S, P>,
  s: S,
  opts: CheckOptions = {},
): Promise<OpRun<P>> {
  const c = opts.ctx ?? ctx;
  const data = opts.data ?? spec.data(s, new Rng(opts.seed ?? 1));
  return withBuffers(c, data, async (bufs) => {
    let op: P | undefined;
    try {
      op = await spec.plan(c, s, bufs);
      const planned = op;
      const label = `${spec.name} ${JSON.stringify(s)}`;
      if (spec.forward.run) await spec.forward.run(planned, c, bufs, data, s);
      else
        await submitAndWait(c, (enc) => {
          if (spec.forward.encode) spec.forward.encode(planned, enc, s);
          else (planned as unknown as { encodeForward(e: GPUCommandEncoder): void }).encodeForward(enc);
        });
      const wantFwd = spec.forward.ref(s, data);
      const forward = await readOutputs(c, wantFwd, data, bufs, spec.owned?.(planned, s));
      for (const [name, want] of Object.entries(wantFwd)) {
        if (!want) continue;
        if (spec.forward.check) spec.forward.check(name, forward[name]!, want, s, data);
        else
          compare(
            forward[name]!,
            want,
            opts.forwardTol ?? tolFor(spec.forward.tol, s, name, data),
            `${label} forward ${name}`,
          );
      }
      const backward: Record<string, HostArray> = {};
      if (spec.backward) {
        const bwd = spec.backward;
        await submitAndWait(c, (enc) => {
          if (bwd.encode) bwd.encode(planned, enc, s);
          else (planned as unknown as { encodeBackward(e: GPUCommandEncoder): void }).encodeBackward(enc);
        });
        const want = bwd.ref(s, data);
        Object.assign(backward, await readOutputs(c, want, data, bufs, undefined));
        for (const [name, w] of Object.entries(want)) {
          if (w) compare(backward[name]!, w, tolFor(bwd.tol, s, name, data), `${label} backward ${name}`);
        }
      }
      return { op: planned, data, forward, backward };
    } finally {
      op?.destroy();
    }
  });
}

/**
 * GPU buffers made from host arrays (same names), handed to `use`, and destroyed afterwards even
 * when `use` throws: for the checks that are not a forward/backward comparison (limits, error
 * flags, refusals). `read(name)` reads one back with its host array's type.
 */
export async function withBuffers<T>(
  ctx: GpuContext,
  data: HostBuffers,
  use: (bufs: Record<string, GPUBuffer>, read: (name: string) => Promise<HostArray>) => Promise<T>,
): Promise<T> {
  const bufs: Record<string, GPUBuffer> = {};
  try {
    for (const [name, arr] of Object.entries(data)) bufs[name] = createBufferFrom(ctx, arr, name);
    return await use(bufs, (name) => {
      const b = bufs[name];
      const like = data[name];
      if (!b || !like) throw new Error(`op-check: no buffer '${name}'`);
      return readBack(ctx, b, like);
    });
  } finally {
    for (const b of Object.values(bufs)) b.destroy();
  }
}

async function readOutputs(
  ctx: GpuContext,
  want: Expected,
  data: HostBuffers,
  bufs: Record<string, GPUBuffer>,
  owned: Record<string, OwnedBuffer | undefined> | undefined,
): Promise<Record<string, HostArray>> {
  const out: Record<string, HostArray> = {};
  for (const [name, w] of Object.entries(want)) {
    if (!w) continue;
    const own = owned?.[name];
    if (own) out[name] = await readBack(ctx, own.buffer, own);
    else if (bufs[name] && data[name]) out[name] = await readBack(ctx, bufs[name], data[name]);
    else
      throw new Error(`op-check: the reference predicts '${name}', which is neither in data() nor owned()`);
  }
  return out;
}

/**
 * Central differences of the reference: for each input x with gradient buffer dx, the loss
 * L = Σ_outputs ⟨cotangent, forward.ref(x)⟩ is differenced at `samples` positions of x (x held in
 * float64) and compared with `backward.ref` evaluated with every gradient buffer zeroed (so an
 * accumulating op's base does not count). Returns the number of positions compared, so a test can
 * assert that the skip rule left enough.
 */
export function checkGradients<S, P extends PlannedOp>(spec: OpSpec<S, P>, s: S, seed = 1): number {
  const g = spec.gradients;
  if (!g) throw new Error(`op-check: ${spec.name} has no gradients to check`);
  const gradientRef = spec.backward?.ref ?? spec.forward.ref;
  const base = spec.data(s, new Rng(seed));
  const zeroed: HostBuffers = { ...base };
  for (const dx of Object.values(g.inputs)) {
    const src = base[dx];
    if (!src) throw new Error(`op-check: ${spec.name} gradient buffer '${dx}' is not in data()`);
    zeroed[dx] = new Float32Array(src.length);
  }
  const analytic = gradientRef(s, zeroed);
  const [atol, rtol] = g.tol ?? [1e-6, 1e-5];
  let compared = 0;
  for (const [input, dxName] of Object.entries(g.inputs)) {
    const x64 = Float64Array.from(base[input] ?? []);
    if (x64.length === 0) throw new Error(`op-check: ${spec.name} input '${input}' is not in data()`);
    // The reference reads x through `data`; a float64 view lets the difference step be tiny.
    const data = { ...zeroed, [input]: x64 as unknown as Float32Array };
    const loss = () => {
      const out = spec.forward.ref(s, data);
      let sum = 0;
      for (const [y, dy] of Object.entries(g.cotangents)) {
        const yv = out[y];
        const dyv = typeof dy === 'number' ? undefined : base[dy];
        if (!yv || (typeof dy !== 'number' && !dyv))
          throw new Error(`op-check: ${spec.name} cotangent pair ${y}/${dy} missing`);
        for (let i = 0; i < yv.length; i++) sum += yv[i]! * (dyv ? dyv[i]! : (dy as number));
      }
      return sum;
    };
    const grad = analytic[dxName];
    if (!grad) throw new Error(`op-check: ${spec.name}'s reference does not return the gradient '${dxName}'`);
    compared += expectGradientMatchesDifferences(loss, x64, grad, {
      what: `${spec.name} ${JSON.stringify(s)} ${dxName}`,
      samples: g.samples,
      eps: g.eps,
      atol,
      rtol,
      seed: seed + 2,
      skip: g.skip && ((i) => g.skip!(input, data, i)),
      also: g.alsoAt?.(input, data, s),
    });
  }
  return compared;
}

/** True when `a` and `b` hold the same bytes (bit-identical reruns). */
export function sameBits(a: HostArray, b: HostArray): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** Several plans checked as one op (e.g. two backward variants over shared buffers): destroys them all. */
export function planGroup<T extends Record<string, PlannedOp>>(ops: T): T & PlannedOp {
  return {
    ...ops,
    destroy() {
      for (const op of Object.values(ops)) op.destroy();
    },
  };
}
