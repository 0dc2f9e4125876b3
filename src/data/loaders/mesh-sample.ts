import type { Rng } from '../../util/random';

/**
 * Area-weighted uniform sampling of points on a triangle mesh, with the face normal of each point.
 * For meshes read from files; the generated sample set has its own sampler (src/data/sampling.ts).
 */
export interface SurfaceSample {
  /** [n·3] */
  points: Float32Array;
  /** [n·3] unit normal of the triangle each point lies on. */
  normals: Float32Array;
}

/** Total area of the triangles (float64). */
export function meshArea(vertices: ArrayLike<number>, faces: ArrayLike<number>): number {
  let total = 0;
  for (let f = 0; f < faces.length; f += 3) total += triangle(vertices, faces, f).area;
  return total;
}

/**
 * n points on the surface: a triangle picked with probability proportional to its area (binary
 * search in the cumulative areas), then a uniform point in it from two uniforms
 * (√r1 warp). Returns undefined when the mesh has no area at all.
 * Draws per point, in order: one uniform for the triangle, then r1, r2.
 */
export function sampleMeshSurface(
  vertices: ArrayLike<number>,
  faces: ArrayLike<number>,
  n: number,
  rng: Rng,
): SurfaceSample | undefined {
  const F = Math.floor(faces.length / 3);
  const cum = new Float64Array(F);
  const unitNormals = new Float64Array(F * 3);
  let total = 0;
  for (let t = 0; t < F; t++) {
    const tri = triangle(vertices, faces, t * 3);
    total += tri.area;
    cum[t] = total;
    if (tri.area > 0) for (let k = 0; k < 3; k++) unitNormals[t * 3 + k] = tri.normal[k]! / (2 * tri.area);
  }
  if (!(total > 0) || !Number.isFinite(total)) return undefined;
  const points = new Float32Array(n * 3);
  const normals = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const u = rng.next() * total;
    let lo = 0;
    let hi = F - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    const s = Math.sqrt(rng.next());
    const r2 = rng.next();
    const wa = 1 - s;
    const wb = s * (1 - r2);
    const wc = s * r2;
    const a = faces[lo * 3]! * 3;
    const b = faces[lo * 3 + 1]! * 3;
    const c = faces[lo * 3 + 2]! * 3;
    for (let k = 0; k < 3; k++) {
      points[i * 3 + k] = wa * vertices[a + k]! + wb * vertices[b + k]! + wc * vertices[c + k]!;
      normals[i * 3 + k] = unitNormals[lo * 3 + k]!;
    }
  }
  return { points, normals };
}

function triangle(v: ArrayLike<number>, f: ArrayLike<number>, at: number) {
  const a = f[at]! * 3;
  const b = f[at + 1]! * 3;
  const c = f[at + 2]! * 3;
  const e1 = [v[b]! - v[a]!, v[b + 1]! - v[a + 1]!, v[b + 2]! - v[a + 2]!];
  const e2 = [v[c]! - v[a]!, v[c + 1]! - v[a + 1]!, v[c + 2]! - v[a + 2]!];
  const normal = [
    e1[1]! * e2[2]! - e1[2]! * e2[1]!,
    e1[2]! * e2[0]! - e1[0]! * e2[2]!,
    e1[0]! * e2[1]! - e1[1]! * e2[0]!,
  ];
  const area = 0.5 * Math.hypot(normal[0]!, normal[1]!, normal[2]!);
  return { area: Number.isFinite(area) ? area : 0, normal };
}
