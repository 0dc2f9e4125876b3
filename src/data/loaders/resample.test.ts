import { describe, expect, it } from 'vitest';
import { Rng } from '../../util/random';
import { DataFormatError } from '../errors';
import { meshArea, sampleMeshSurface } from './mesh-sample';
import { loadPly } from './ply';
import { resample, toPointCloud } from './resample';

const cloud = (n: number) => ({
  points: Float32Array.from({ length: n * 3 }, (_, i) => i),
  pointLabels: Int32Array.from({ length: n }, (_, i) => i * 10),
});

describe('resample', () => {
  it('takes the first n of a shuffled order when there are enough points', () => {
    const r = resample(cloud(50), 20, new Rng(3));
    expect(r.points.length).toBe(60);
    expect(r.withReplacement).toBe(false);
    expect(new Set(r.indices).size).toBe(20);
    for (let i = 0; i < 20; i++) {
      expect(r.points[i * 3]).toBe(r.indices![i]! * 3);
      expect(r.pointLabels![i]).toBe(r.indices![i]! * 10);
    }
    // Same seed, same draw; the order is shuffled, not the identity.
    expect(Array.from(resample(cloud(50), 20, new Rng(3)).indices!)).toEqual(Array.from(r.indices!));
    expect(Array.from(r.indices!)).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('keeps every point and repeats some, and says so, when there are fewer than n', () => {
    const r = resample(cloud(7), 16, new Rng(1));
    expect(r.points.length).toBe(48);
    expect(r.withReplacement).toBe(true);
    expect(r.note).toMatch(/only 7 points: 9 drawn again with replacement/);
    expect(new Set(r.indices).size).toBe(7);
  });

  it('refuses n < 1', () => {
    expect(() => resample(cloud(3), 0, new Rng(1))).toThrow(RangeError);
  });
});

describe('mesh surface sampling (mesh-sample.ts)', () => {
  // Two triangles in the plane z = 0: area 0.5 (x < 1) and 1.5 (x in [1, 4]).
  const v = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 4, 0, 0, 1, 1, 0]);
  const f = Uint32Array.from([0, 1, 2, 3, 4, 5]);

  it('samples by area, on the surface, with unit face normals', () => {
    expect(meshArea(v, f)).toBeCloseTo(2, 6);
    const s = sampleMeshSurface(v, f, 4000, new Rng(9))!;
    let onSecond = 0;
    for (let i = 0; i < 4000; i++) {
      const [x, y, z] = [s.points[i * 3]!, s.points[i * 3 + 1]!, s.points[i * 3 + 2]!];
      expect(z).toBe(0);
      expect(Math.abs(s.normals[i * 3 + 2]!)).toBeCloseTo(1, 6);
      if (x > 1 || (x === 1 && y > 0)) onSecond++;
      else expect(x + y).toBeLessThanOrEqual(1 + 1e-6);
    }
    // Expected share 0.75; 4000 draws give a standard error of about 0.007.
    expect(onSecond / 4000).toBeGreaterThan(0.72);
    expect(onSecond / 4000).toBeLessThan(0.78);
  });

  it('toPointCloud samples a mesh and resamples a zero-area one', () => {
    const m = toPointCloud(
      { file: 'm', format: 'off', points: v, faces: f, properties: [], warnings: [] },
      10,
      new Rng(2),
    );
    expect(m.points.length).toBe(30);
    expect(m.normals!.length).toBe(30);
    const flat = Uint32Array.from([0, 0, 1]);
    const z = toPointCloud(
      { file: 'm', format: 'off', points: v, faces: flat, properties: [], warnings: [] },
      4,
      new Rng(2),
    );
    expect(z.note).toMatch(/the faces have no area/);
    expect(z.points.length).toBe(12);
  });
});

describe('non-finite coordinates', () => {
  it('a binary PLY with a NaN is refused at the byte of that value', () => {
    const head = new TextEncoder().encode(
      'ply\nformat binary_little_endian 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n',
    );
    const body = new Float32Array([0, 0, 0, 1, Number.NaN, 2]);
    const bytes = new Uint8Array(head.length + 24);
    bytes.set(head);
    bytes.set(new Uint8Array(body.buffer), head.length);
    let err: unknown;
    try {
      loadPly('nan.ply', bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as Error).message).toBe(
      `nan.ply: byte ${head.length + 16}: point 1 has a non-finite coordinate (y = NaN); NaN and infinite coordinates are refused`,
    );
  });
});
