import { describe, expect, it } from 'vitest';
import type { Mesh } from './mesh';
import { samplePoints } from './sampling';
import { generateObject } from './shapes';

// Two separate triangles in the z = 0 and x = 5 planes with areas 1 and 3.
const twoTriangles: Mesh = {
  positions: new Float32Array([0, 0, 0, 2, 0, 0, 0, 1, 0, 5, 0, 0, 5, 0, 2, 5, 3, 0]),
  indices: new Uint32Array([0, 1, 2, 3, 4, 5]),
};

describe('surface sampling', () => {
  it('chooses triangles in proportion to their area', () => {
    const n = 20_000;
    const s = samplePoints(twoTriangles, n, 1);
    let onSecond = 0;
    for (const f of s.faces) onSecond += f;
    // Binomial(n, 3/4): 4 standard deviations is about ±0.012.
    expect(Math.abs(onSecond / n - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / n));
  });

  it('is uniform inside a triangle (equal-area halves get equal counts) and lies on it', () => {
    const n = 20_000;
    const s = samplePoints(twoTriangles, n, 2);
    let first = 0;
    let leftHalf = 0;
    for (let i = 0; i < n; i++) {
      if (s.faces[i] !== 0) continue;
      const [x, y, z] = [s.points[3 * i]!, s.points[3 * i + 1]!, s.points[3 * i + 2]!];
      expect(z).toBe(0);
      expect(x >= 0 && y >= 0 && x / 2 + y <= 1 + 1e-6).toBe(true);
      first++;
      // The median x = 2 − √2 splits the triangle (legs 2 and 1) into equal areas.
      if (x < 2 - Math.SQRT2) leftHalf++;
    }
    expect(Math.abs(leftHalf / first - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / first));
  });

  it('gives the face normals, unit length', () => {
    const s = samplePoints(twoTriangles, 500, 3);
    for (let i = 0; i < 500; i++) {
      const n = [s.normals[3 * i]!, s.normals[3 * i + 1]!, s.normals[3 * i + 2]!];
      if (s.faces[i] === 0) expect(n).toEqual([0, 0, 1]);
      else expect(Math.abs(n[0]!)).toBeCloseTo(1, 6);
    }
  });

  it('spreads points by area over a real shape: equal-area box faces get equal shares', () => {
    // Cube [-1, 1]³ wound outward, two triangles per face, faces in order.
    const cube: Mesh = {
      positions: new Float32Array([
        -1, -1, -1, 1, -1, -1, 1, 1, -1, -1, 1, -1, -1, -1, 1, 1, -1, 1, 1, 1, 1, -1, 1, 1,
      ]),
      indices: new Uint32Array([
        0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 0, 4, 7, 0, 7, 3, 1, 2, 6, 1,
        6, 5,
      ]),
    };
    const n = 12_000;
    const s = samplePoints(cube, n, 4);
    const perFace = new Array(6).fill(0);
    for (const f of s.faces) perFace[f >> 1]++;
    for (const c of perFace)
      expect(Math.abs(c / n - 1 / 6)).toBeLessThan(4 * Math.sqrt(((1 / 6) * (5 / 6)) / n));
    // Outward winding gives outward normals: normal · position > 0 on a centred cube.
    for (let i = 0; i < n; i += 97) {
      const d =
        s.normals[3 * i]! * s.points[3 * i]! +
        s.normals[3 * i + 1]! * s.points[3 * i + 1]! +
        s.normals[3 * i + 2]! * s.points[3 * i + 2]!;
      expect(d).toBeGreaterThan(0);
    }
  });

  it('is deterministic by seed, at any N', () => {
    const m = generateObject('chair', 0, 0);
    for (const n of [1, 7, 2048]) {
      const a = samplePoints(m, n, 9);
      const b = samplePoints(m, n, 9);
      expect(a.points.length).toBe(3 * n);
      expect(Buffer.from(a.points.buffer).equals(Buffer.from(b.points.buffer))).toBe(true);
      expect(Buffer.from(a.normals.buffer).equals(Buffer.from(b.normals.buffer))).toBe(true);
    }
    const c = samplePoints(m, 64, 10);
    expect(Buffer.from(samplePoints(m, 64, 9).points.buffer).equals(Buffer.from(c.points.buffer))).toBe(
      false,
    );
  });

  it('rejects a mesh without area', () => {
    const flat: Mesh = { positions: new Float32Array(9), indices: new Uint32Array([0, 1, 2]) };
    expect(() => samplePoints(flat, 4, 0)).toThrow('no area');
  });
});
