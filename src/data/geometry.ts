/**
 * Pure helpers on user clouds, sample-set pictures and score lists (no GPU, no DOM), used by the
 * analyses in src/eval and by the worker.
 */

/** Which axis of a file's frame points up (the training data is y-up). */
export type UpAxis = 'y' | 'z';

/**
 * A cloud normalised like the training data: centred on its centroid, scaled so the farthest
 * point lies on the unit sphere, and turned so that +y is up. A z-up file (ModelNet's raw CAD
 * frame, most scanners) is rotated −90° about x: (x, y, z) → (x, z, −y).
 */
export function normaliseCloud(points: Float32Array, upAxis: UpAxis): Float32Array {
  const n = Math.floor(points.length / 3);
  const out = new Float32Array(n * 3); // [n, 3]
  if (n === 0) return out;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let i = 0; i < n; i++) {
    cx += points[3 * i]!;
    cy += points[3 * i + 1]!;
    cz += points[3 * i + 2]!;
  }
  cx /= n;
  cy /= n;
  cz /= n;
  let r = 0;
  for (let i = 0; i < n; i++) {
    const x = points[3 * i]! - cx;
    const y = points[3 * i + 1]! - cy;
    const z = points[3 * i + 2]! - cz;
    r = Math.max(r, Math.hypot(x, y, z));
  }
  const s = r > 0 ? 1 / r : 1;
  for (let i = 0; i < n; i++) {
    const x = (points[3 * i]! - cx) * s;
    const y = (points[3 * i + 1]! - cy) * s;
    const z = (points[3 * i + 2]! - cz) * s;
    out[3 * i] = x;
    out[3 * i + 1] = upAxis === 'z' ? z : y;
    out[3 * i + 2] = upAxis === 'z' ? -y : z;
  }
  return out;
}

/** Box-filters a square RGBA8 image of side `size` down to at most `max` (integer factor). */
export function downsampleRgba(
  rgba: Uint8Array,
  size: number,
  max: number,
): { size: number; rgba: Uint8Array } {
  const f = Math.max(1, Math.ceil(size / max));
  if (f === 1) return { size, rgba };
  const s = Math.floor(size / f);
  const out = new Uint8Array(s * s * 4);
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      for (let c = 0; c < 4; c++) {
        let acc = 0;
        for (let dy = 0; dy < f; dy++)
          for (let dx = 0; dx < f; dx++) acc += rgba[((y * f + dy) * size + x * f + dx) * 4 + c]!;
        out[(y * s + x) * 4 + c] = Math.round(acc / (f * f));
      }
    }
  }
  return { size: s, rgba: out };
}

/**
 * A batch for the similarity matrix: up to `b` objects, taken round-robin over the classes (in
 * label order, objects in their listed order), `perClass` at a time, so the matrix mixes classes
 * instead of showing the first class only, and with perClass > 1 each class shows as a block of
 * same-class pairs around the diagonal. Returns indices into `labels`.
 */
export function pickMixedBatch(labels: ArrayLike<number>, b: number, perClass = 1): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const queues = [...byClass.keys()].sort((x, y) => x - y).map((k) => byClass.get(k)!);
  const out: number[] = [];
  for (let round = 0; out.length < b; round++) {
    let any = false;
    for (const q of queues) {
      for (let j = round * perClass; j < (round + 1) * perClass && j < q.length && out.length < b; j++) {
        out.push(q[j]!);
        any = true;
      }
    }
    if (!any) break;
  }
  return out;
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b]! - values[a]! || a - b);
  return idx.slice(0, k);
}
