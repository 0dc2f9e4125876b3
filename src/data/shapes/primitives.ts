// Building blocks of the generated shapes: closed triangle parts in local coordinates, affine
// transforms, and a builder that merges transformed parts into one mesh. Every part is a closed
// surface; the builder orients each one outward (by the sign of its volume), so a mirrored
// transform or a section list given in the "wrong" order still yields outward normals.
import { type Mesh, normaliseMesh } from '../mesh';

export type Vec3 = [number, number, number];
export type Vec2 = [number, number];

/** A closed surface: positions [V * 3], triangles [F * 3]. */
export interface Part {
  positions: number[];
  indices: number[];
}

/** Row-major 3×4 affine map: [r00 r01 r02 tx, r10 r11 r12 ty, r20 r21 r22 tz]. */
export type Xf = number[];

export const IDENTITY: Xf = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];

export function T(x: number, y: number, z: number): Xf {
  return [1, 0, 0, x, 0, 1, 0, y, 0, 0, 1, z];
}

export function S(x: number, y = x, z = x): Xf {
  return [x, 0, 0, 0, 0, y, 0, 0, 0, 0, z, 0];
}

export function Rx(a: number): Xf {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [1, 0, 0, 0, 0, c, -s, 0, 0, s, c, 0];
}

export function Ry(a: number): Xf {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [c, 0, s, 0, 0, 1, 0, 0, -s, 0, c, 0];
}

export function Rz(a: number): Xf {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [c, -s, 0, 0, s, c, 0, 0, 0, 0, 1, 0];
}

/** Composition: mul(a, b, c) applies c first, then b, then a. */
export function mul(...xs: Xf[]): Xf {
  let m = IDENTITY;
  for (const x of xs) m = mul2(m, x);
  return m;
}

function mul2(a: Xf, b: Xf): Xf {
  const o = new Array<number>(12);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      let v = c === 3 ? a[r * 4 + 3]! : 0;
      for (let k = 0; k < 3; k++) v += a[r * 4 + k]! * b[k * 4 + c]!;
      o[r * 4 + c] = v;
    }
  }
  return o;
}

export function apply(m: Xf, p: Vec3): Vec3 {
  return [
    m[0]! * p[0] + m[1]! * p[1] + m[2]! * p[2] + m[3]!,
    m[4]! * p[0] + m[5]! * p[1] + m[6]! * p[2] + m[7]!,
    m[8]! * p[0] + m[9]! * p[1] + m[10]! * p[2] + m[11]!,
  ];
}

/** Axis-aligned box of full extents w (x), h (y), d (z), centred at the origin. */
export function box(w: number, h: number, d: number): Part {
  const x = w / 2;
  const y = h / 2;
  const z = d / 2;
  const positions: number[] = [];
  for (const sx of [-x, x]) for (const sy of [-y, y]) for (const sz of [-z, z]) positions.push(sx, sy, sz);
  // Vertex i = 4·bx + 2·by + bz; each face as two triangles (orientation fixed by the builder).
  const q = [
    [0, 1, 3, 2],
    [4, 6, 7, 5],
    [0, 4, 5, 1],
    [2, 3, 7, 6],
    [0, 2, 6, 4],
    [1, 5, 7, 3],
  ];
  const indices: number[] = [];
  for (const [a, b, c, d] of q) indices.push(a!, b!, c!, a!, c!, d!);
  return { positions, indices };
}

/**
 * Ring sections joined into a closed tube, capped at both ends by a fan from each end ring's
 * centroid. Every section has the same number of points, in the same angular order.
 */
export function loft(sections: Vec3[][], capStart = true, capEnd = true): Part {
  const m = sections[0]!.length;
  const positions: number[] = [];
  const indices: number[] = [];
  for (const s of sections) {
    if (s.length !== m) throw new Error('loft: sections differ in point count');
    for (const p of s) positions.push(p[0], p[1], p[2]);
  }
  for (let i = 0; i + 1 < sections.length; i++) {
    for (let j = 0; j < m; j++) {
      const a = i * m + j;
      const b = i * m + ((j + 1) % m);
      const c = (i + 1) * m + ((j + 1) % m);
      const d = (i + 1) * m + j;
      indices.push(a, b, c, a, c, d);
    }
  }
  const cap = (si: number, flip: boolean) => {
    const s = sections[si]!;
    const c = [0, 0, 0];
    for (const p of s) for (let k = 0; k < 3; k++) c[k]! += p[k]! / m;
    const ci = positions.length / 3;
    positions.push(c[0]!, c[1]!, c[2]!);
    for (let j = 0; j < m; j++) {
      const a = si * m + j;
      const b = si * m + ((j + 1) % m);
      if (flip) indices.push(ci, b, a);
      else indices.push(ci, a, b);
    }
  };
  if (capStart) cap(0, true);
  if (capEnd) cap(sections.length - 1, false);
  return { positions, indices };
}

/** Points of an ellipse (rx along x, rz along z) at height y, counter-clockwise seen from +y. */
export function ellipseRing(rx: number, rz: number, y: number, segs: number, phase = 0): Vec3[] {
  const out: Vec3[] = [];
  for (let j = 0; j < segs; j++) {
    const a = phase + (2 * Math.PI * j) / segs;
    out.push([rx * Math.cos(a), y, -rz * Math.sin(a)]);
  }
  return out;
}

/** Cylinder (or frustum) along y from -h/2 to h/2, radius r at the bottom and rTop at the top. */
export function cylinder(r: number, h: number, segs = 16, rTop = r): Part {
  return lathe(
    [
      [r, -h / 2],
      [rTop, h / 2],
    ],
    segs,
  );
}

/** Cone along y, base radius r at -h/2, apex at +h/2. */
export function cone(r: number, h: number, segs = 16): Part {
  return lathe(
    [
      [r, -h / 2],
      [0, h / 2],
    ],
    segs,
  );
}

/** Sphere of radius r (UV tessellation). */
export function sphere(r: number, segs = 16, rings = 10): Part {
  const profile: Vec2[] = [];
  for (let i = 0; i <= rings; i++) {
    const t = -Math.PI / 2 + (Math.PI * i) / rings;
    profile.push([r * Math.cos(t), r * Math.sin(t)]);
  }
  return lathe(profile, segs);
}

/**
 * Surface of revolution about y of a profile of (radius, y) points, bottom to top. Ends with
 * radius > 0 are capped; radius-0 points collapse (the builder drops the degenerate triangles).
 */
export function lathe(profile: Vec2[], segs = 16): Part {
  const sections = profile.map(([r, y]) => ellipseRing(Math.max(r, 0), Math.max(r, 0), y, segs));
  return loft(sections, profile[0]![0] > 0, profile[profile.length - 1]![0] > 0);
}

/** A simple polygon in the xy plane extruded along z over depth d (centred). */
export function extrude(poly: Vec2[], d: number): Part {
  const pts = signedArea2(poly) < 0 ? [...poly].reverse() : poly;
  const n = pts.length;
  const positions: number[] = [];
  for (const z of [-d / 2, d / 2]) for (const [x, y] of pts) positions.push(x, y, z);
  const indices: number[] = [];
  for (const [a, b, c] of earClip(pts)) {
    indices.push(a, c, b); // back face
    indices.push(n + a, n + b, n + c); // front face
  }
  for (let j = 0; j < n; j++) {
    const k = (j + 1) % n;
    indices.push(j, k, n + k, j, n + k, n + j);
  }
  return { positions, indices };
}

/** Rounded rectangle outline (w × h, corner radius r), counter-clockwise. */
export function roundedRect(w: number, h: number, r: number, segs = 4): Vec2[] {
  const rr = Math.min(r, w / 2 - 1e-4, h / 2 - 1e-4);
  const out: Vec2[] = [];
  const corners: [number, number, number][] = [
    [w / 2 - rr, h / 2 - rr, 0],
    [-w / 2 + rr, h / 2 - rr, Math.PI / 2],
    [-w / 2 + rr, -h / 2 + rr, Math.PI],
    [w / 2 - rr, -h / 2 + rr, (3 * Math.PI) / 2],
  ];
  for (const [cx, cy, a0] of corners) {
    for (let i = 0; i <= segs; i++) {
      const a = a0 + ((Math.PI / 2) * i) / segs;
      out.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
    }
  }
  return out;
}

/** A circular tube of radius r swept along a polyline (parallel-transported frame), capped. */
export function tube(path: Vec3[], r: number, segs = 8): Part {
  const sections: Vec3[][] = [];
  let prevN: Vec3 | undefined;
  for (let i = 0; i < path.length; i++) {
    const a = path[Math.max(0, i - 1)]!;
    const b = path[Math.min(path.length - 1, i + 1)]!;
    const t = norm(sub(b, a));
    let n: Vec3;
    if (!prevN) {
      const ref: Vec3 = Math.abs(t[1]) < 0.9 ? [0, 1, 0] : [1, 0, 0];
      n = norm(cross(ref, t));
    } else {
      // Remove the tangent component of the previous normal (parallel transport).
      n = norm(sub(prevN, scale(t, dot(prevN, t))));
    }
    prevN = n;
    const bn = cross(t, n);
    const ring: Vec3[] = [];
    for (let j = 0; j < segs; j++) {
      const ang = (2 * Math.PI * j) / segs;
      const c = Math.cos(ang) * r;
      const s = Math.sin(ang) * r;
      const p = path[i]!;
      ring.push([p[0] + n[0] * c + bn[0] * s, p[1] + n[1] * c + bn[1] * s, p[2] + n[2] * c + bn[2] * s]);
    }
    sections.push(ring);
  }
  return loft(sections);
}

/** Triangulation of a simple counter-clockwise polygon by ear clipping (O(n²), small polygons). */
export function earClip(poly: Vec2[]): [number, number, number][] {
  const idx = poly.map((_, i) => i);
  const tris: [number, number, number][] = [];
  let guard = 0;
  while (idx.length > 3 && guard++ < 10_000) {
    let clipped = false;
    for (let i = 0; i < idx.length; i++) {
      const ia = idx[(i + idx.length - 1) % idx.length]!;
      const ib = idx[i]!;
      const ic = idx[(i + 1) % idx.length]!;
      const a = poly[ia]!;
      const b = poly[ib]!;
      const c = poly[ic]!;
      if (cross2(a, b, c) <= 1e-12) continue; // reflex or flat corner
      let inside = false;
      for (const j of idx) {
        if (j === ia || j === ib || j === ic) continue;
        if (inTriangle(poly[j]!, a, b, c)) {
          inside = true;
          break;
        }
      }
      if (inside) continue;
      tris.push([ia, ib, ic]);
      idx.splice(i, 1);
      clipped = true;
      break;
    }
    if (!clipped) break; // numerically awkward remainder: fan it
  }
  for (let i = 1; i + 1 < idx.length; i++) tris.push([idx[0]!, idx[i]!, idx[i + 1]!]);
  return tris;
}

function cross2(a: Vec2, b: Vec2, c: Vec2): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function inTriangle(p: Vec2, a: Vec2, b: Vec2, c: Vec2): boolean {
  return cross2(a, b, p) >= 0 && cross2(b, c, p) >= 0 && cross2(c, a, p) >= 0;
}

function signedArea2(poly: Vec2[]): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!;
    const b = poly[(i + 1) % poly.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s;
}

export function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
export function scale(a: Vec3, s: number): Vec3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}
export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
export function norm(a: Vec3): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
}

/**
 * The part id of the triangles added next: a number, or a function of a triangle's centroid and
 * unit normal after the transform (for a piece that spans parts, like a car body and its hood).
 */
export type PartTag = number | ((centroid: Vec3, normal: Vec3) => number);

/** Collects transformed parts into one mesh, each triangle tagged with a part id. */
export class MeshBuilder {
  private readonly positions: number[] = [];
  private readonly indices: number[] = [];
  private readonly faceParts: number[] = [];
  private tag: PartTag = 0;

  /** Tag the triangles added from now on (src/data/shapes/part-ids.ts has the ids). */
  part(tag: PartTag): this {
    this.tag = tag;
    return this;
  }

  /** Add `part` mapped by `xf`, oriented so its triangles face outward. */
  add(part: Part, xf: Xf = IDENTITY): this {
    const base = this.positions.length / 3;
    const pts: Vec3[] = [];
    for (let i = 0; i < part.positions.length; i += 3) {
      pts.push(apply(xf, [part.positions[i]!, part.positions[i + 1]!, part.positions[i + 2]!]));
    }
    // Signed volume (divergence theorem) tells whether the triangles wind outward.
    let vol = 0;
    const ix = part.indices;
    for (let t = 0; t < ix.length; t += 3)
      vol += dot(pts[ix[t]!]!, cross(pts[ix[t + 1]!]!, pts[ix[t + 2]!]!));
    const flip = vol < 0;
    for (const p of pts) this.positions.push(p[0], p[1], p[2]);
    for (let t = 0; t < ix.length; t += 3) {
      const a = pts[ix[t]!]!;
      const b = pts[ix[t + 1]!]!;
      const c = pts[ix[t + 2]!]!;
      const n = cross(sub(b, a), sub(c, a));
      const nn = dot(n, n);
      if (nn < 1e-20) continue; // collapsed triangle (cone apex, pole)
      const tag = this.tag;
      if (typeof tag === 'number') this.faceParts.push(tag);
      else {
        const centroid: Vec3 = [(a[0] + b[0] + c[0]) / 3, (a[1] + b[1] + c[1]) / 3, (a[2] + b[2] + c[2]) / 3];
        this.faceParts.push(tag(centroid, scale(n, (flip ? -1 : 1) / Math.sqrt(nn))));
      }
      if (flip) this.indices.push(base + ix[t]!, base + ix[t + 2]!, base + ix[t + 1]!);
      else this.indices.push(base + ix[t]!, base + ix[t + 1]!, base + ix[t + 2]!);
    }
    return this;
  }

  /** Add the part twice, the second time mirrored across x = 0 (after `xf`). */
  addMirrorX(part: Part, xf: Xf = IDENTITY): this {
    this.add(part, xf);
    return this.add(part, mul(S(-1, 1, 1), xf));
  }

  /** Add the part twice, the second time mirrored across z = 0 (after `xf`). */
  addMirrorZ(part: Part, xf: Xf = IDENTITY): this {
    this.add(part, xf);
    return this.add(part, mul(S(1, 1, -1), xf));
  }

  /** The merged mesh, centred and scaled into the unit sphere, with its triangles' part ids. */
  build(): Mesh {
    return { ...normaliseMesh(this.positions, this.indices), faceParts: Uint8Array.from(this.faceParts) };
  }
}
