/**
 * Eval-mode point-encoder features, shared by the trainer and its eval-only snapshot: both own a
 * `raw` clouds buffer that an augment without randomness (centre, unit sphere) turns into the
 * encoder's input, and read the pooled features back a chunk of `cap` clouds at a time.
 */
import { readBufferBytes } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import type { PointEncoder } from '../nn/point-encoder';

/** The buffers and passes of one eval forward over `cap` clouds of `points` points. */
export interface EvalForward {
  ctx: GpuContext;
  /** [cap, points, 3] the clouds of one forward, point-major. */
  raw: GPUBuffer;
  /** Clouds a forward. */
  cap: number;
  /** Points a cloud the encoder was planned for. */
  points: number;
  /** Records the input pass from `raw` into the encoder's input (eval: nothing random). */
  evalPoints: { encode(enc: GPUCommandEncoder): void };
  point: PointEncoder;
}

/**
 * Records the eval forward over what `raw` holds after what `enc` already has, submits it and
 * reads the first `count` rows of the features: [count, F].
 */
export async function readEvalFeatures(
  f: EvalForward,
  enc: GPUCommandEncoder,
  count: number,
): Promise<Float32Array> {
  f.evalPoints.encode(enc);
  f.point.encodeForward(enc, 'eval');
  f.ctx.device.queue.submit([enc.finish()]);
  return new Float32Array(await readBufferBytes(f.ctx, f.point.features, count * f.point.featureWidth * 4));
}

/**
 * [n, N0, 3] clouds with N0 ≥ the forward's N points (each cloud keeps its first N, as the paper's
 * linear evaluation) → [n, F] eval-mode features, `cap` clouds a forward.
 */
export async function evalCloudsFeatures(
  f: EvalForward,
  clouds: Float32Array,
  n: number,
  label: string,
): Promise<Float32Array> {
  const N = f.points;
  const N0 = n > 0 ? clouds.length / (n * 3) : N;
  if (!Number.isInteger(N0) || N0 < N) {
    throw new Error(`clouds of ${N0} points; the model needs at least ${N}`);
  }
  const F = f.point.featureWidth;
  const out = new Float32Array(n * F); // [n, F]
  for (let at = 0; at < n; at += f.cap) {
    const count = Math.min(f.cap, n - at);
    // Rows past `count` repeat the chunk's first cloud (eval-mode rows are independent).
    for (let slot = 0; slot < f.cap; slot++) {
      const c = at + (slot < count ? slot : 0);
      f.ctx.device.queue.writeBuffer(f.raw, slot * N * 12, clouds, c * N0 * 3, N * 3);
    }
    const enc = f.ctx.device.createCommandEncoder({ label });
    out.set(await readEvalFeatures(f, enc, count), at * F);
  }
  return out;
}
