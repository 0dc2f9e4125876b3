/**
 * A triangle mesh: y up, indexed. The generated shapes are centred on their bounding-box centre
 * and scaled so the farthest vertex lies on the unit sphere.
 */
export interface Mesh {
  /** [V * 3] xyz per vertex */
  positions: Float32Array;
  /** [F * 3] vertex indices per triangle, counter-clockwise seen from outside */
  indices: Uint32Array;
  /** [F] part id of each triangle (the generated shapes: src/data/shapes/part-ids.ts) */
  faceParts?: Uint8Array;
}

export function vertexCount(m: Mesh): number {
  return m.positions.length / 3;
}

export function faceCount(m: Mesh): number {
  return m.indices.length / 3;
}

/** Area of each triangle (float64). */
export function triangleAreas(m: Mesh): Float64Array {
  const { positions: p, indices: ix } = m;
  const f = ix.length / 3;
  const out = new Float64Array(f);
  for (let t = 0; t < f; t++) {
    const a = ix[3 * t]! * 3;
    const b = ix[3 * t + 1]! * 3;
    const c = ix[3 * t + 2]! * 3;
    const ux = p[b]! - p[a]!;
    const uy = p[b + 1]! - p[a + 1]!;
    const uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!;
    const vy = p[c + 1]! - p[a + 1]!;
    const vz = p[c + 2]! - p[a + 2]!;
    const cx = uy * vz - uz * vy;
    const cy = uz * vx - ux * vz;
    const cz = ux * vy - uy * vx;
    out[t] = 0.5 * Math.sqrt(cx * cx + cy * cy + cz * cz);
  }
  return out;
}

/** Axis-aligned bounds: [minx, miny, minz, maxx, maxy, maxz]. */
export function meshBounds(positions: ArrayLike<number>): number[] {
  const b = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const v = positions[i + k]!;
      if (v < b[k]!) b[k] = v;
      if (v > b[k + 3]!) b[k + 3] = v;
    }
  }
  return b;
}

/**
 * Centre on the bounding-box centre and scale so the farthest vertex is at distance `radius`.
 * Returns a new mesh (positions rounded to f32 once, after the float64 transform).
 */
export function normaliseMesh(positions: ArrayLike<number>, indices: ArrayLike<number>, radius = 1): Mesh {
  const b = meshBounds(positions);
  const c = [(b[0]! + b[3]!) / 2, (b[1]! + b[4]!) / 2, (b[2]! + b[5]!) / 2];
  let r2 = 0;
  for (let i = 0; i < positions.length; i += 3) {
    const dx = positions[i]! - c[0]!;
    const dy = positions[i + 1]! - c[1]!;
    const dz = positions[i + 2]! - c[2]!;
    r2 = Math.max(r2, dx * dx + dy * dy + dz * dz);
  }
  // Slightly inside the sphere so f32 rounding never pushes a vertex past `radius`.
  const s = r2 > 0 ? (radius * (1 - 1e-6)) / Math.sqrt(r2) : 1;
  const out = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i += 3) {
    for (let k = 0; k < 3; k++) out[i + k] = (positions[i + k]! - c[k]!) * s;
  }
  return { positions: out, indices: Uint32Array.from(indices) };
}
