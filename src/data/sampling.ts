// Uniform sampling of a mesh surface: a triangle is chosen with probability proportional to its
// area (binary search in the cumulative area), then a point uniformly inside it by the
// square-root barycentric map. Normals are the chosen triangle's unit face normal.
import { Rng } from '../util/random';
import { type Mesh, triangleAreas } from './mesh';

export interface SurfaceSample {
  /** [N * 3] xyz */
  points: Float32Array;
  /** [N * 3] unit normals (outward for outward-wound meshes) */
  normals: Float32Array;
  /** [N] triangle each point came from */
  faces: Uint32Array;
}

/**
 * `n` points on the surface of `mesh`, seeded. Draw order per point: one uniform for the triangle,
 * then two (r1, r2) for the barycentric position.
 */
export function samplePoints(mesh: Mesh, n: number, seed: number): SurfaceSample {
  const areas = triangleAreas(mesh);
  const f = areas.length;
  const cdf = new Float64Array(f);
  let total = 0;
  for (let t = 0; t < f; t++) {
    total += areas[t]!;
    cdf[t] = total;
  }
  if (!(total > 0)) throw new Error('samplePoints: the mesh has no area');
  const rng = new Rng(seed);
  const { positions: p, indices: ix } = mesh;
  const points = new Float32Array(n * 3);
  const normals = new Float32Array(n * 3);
  const faces = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next() * total;
    // First t with cdf[t] > u; zero-area triangles are never chosen.
    let lo = 0;
    let hi = f - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    const t = lo;
    faces[i] = t;
    const a = ix[3 * t]! * 3;
    const b = ix[3 * t + 1]! * 3;
    const c = ix[3 * t + 2]! * 3;
    const s = Math.sqrt(rng.next());
    const r2 = rng.next();
    const wa = 1 - s;
    const wb = s * (1 - r2);
    const wc = s * r2;
    for (let k = 0; k < 3; k++) points[3 * i + k] = wa * p[a + k]! + wb * p[b + k]! + wc * p[c + k]!;
    const ux = p[b]! - p[a]!;
    const uy = p[b + 1]! - p[a + 1]!;
    const uz = p[b + 2]! - p[a + 2]!;
    const vx = p[c]! - p[a]!;
    const vy = p[c + 1]! - p[a + 1]!;
    const vz = p[c + 2]! - p[a + 2]!;
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    const len = Math.hypot(nx, ny, nz);
    normals[3 * i] = nx / len;
    normals[3 * i + 1] = ny / len;
    normals[3 * i + 2] = nz / len;
  }
  return { points, normals, faces };
}
