import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import h5wasm from 'h5wasm/node';
import { PLYLoader } from 'three/examples/jsm/loaders/PLYLoader.js';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { setupGpu } from '../../test/gpu';
import { tinySampleArgs } from '../../test/tiny-sample';
import { readF32 } from '../gpu/buffers';
import { encodePly } from './ply-write';
import { renderSampleSet } from './sample-render';
import { generateSampleSet } from './sample-set';
import { CATEGORIES, SYNSETS } from './shapes';

const gpu = setupGpu();
const tiny = { perClass: 2, points: 256, views: 2, imageSize: 32, seed: 5 };

describe('generated sample set', () => {
  it('has every class, unique ids, labels in class order and an 80/20 split per class', () => {
    const set = generateSampleSet({ ...tiny, perClass: 10 });
    expect(set.objects.length).toBe(130);
    expect(new Set(set.objects.map((o) => o.id)).size).toBe(130);
    for (const [label, c] of CATEGORIES.entries()) {
      const objs = set.objects.filter((o) => o.category === c);
      expect(objs.every((o) => o.label === label && o.synset === SYNSETS[c])).toBe(true);
      expect(objs.filter((o) => o.split === 'test').length).toBe(2);
    }
    const o = set.objects[0]!;
    expect(o.points.length).toBe(256 * 3);
    // Per-point part labels from the triangle each point was drawn on (part-ids.ts).
    expect(o.parts.length).toBe(256);
    expect(o.category).toBe('airplane');
    expect([...o.parts].every((p) => p <= 3) && o.parts.includes(0) && o.parts.includes(1)).toBe(true);
    expect(o.normals.length).toBe(256 * 3);
    expect(o.cameras.length).toBe(2);
    for (const c of o.cameras) {
      expect(c.elevation).toBeGreaterThanOrEqual(25);
      expect(c.elevation).toBeLessThanOrEqual(30);
    }
    // Two per class still gives one test object each.
    const small = generateSampleSet(tiny);
    expect(small.objects.filter((x) => x.split === 'test').length).toBe(13);
  });

  it("variation 'hard' stretches and turns each object (seeded), inside the unit sphere, parts kept", () => {
    const std = generateSampleSet({ ...tiny, points: 64, perClass: 3 });
    const hard = generateSampleSet({ ...tiny, points: 64, perClass: 3, variation: 'hard' });
    expect(
      generateSampleSet({ ...tiny, points: 64, perClass: 3, variation: 'hard' }).objects[5]!.points,
    ).toEqual(hard.objects[5]!.points);
    const extent = (p: Float32Array, axis: number) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = axis; i < p.length; i += 3) [lo, hi] = [Math.min(lo, p[i]!), Math.max(hi, p[i]!)];
      return hi - lo;
    };
    for (const [i, o] of hard.objects.entries()) {
      const s = std.objects[i]!;
      expect(o.label).toBe(s.label);
      expect(o.mesh.faceParts).toEqual(s.mesh.faceParts);
      let r = 0;
      for (let v = 0; v < o.mesh.positions.length; v += 3)
        r = Math.max(r, Math.hypot(...o.mesh.positions.subarray(v, v + 3)));
      expect(r).toBeCloseTo(1, 4);
    }
    // The height-to-width ratio of the same chair differs between the two sets.
    const ratio = (p: Float32Array) => extent(p, 1) / extent(p, 0);
    const chair = std.objects.findIndex((o) => o.category === 'chair');
    expect(Math.abs(ratio(hard.objects[chair]!.points) - ratio(std.objects[chair]!.points))).toBeGreaterThan(
      0.02,
    );
  });

  it('testPerClass holds out that many objects of each class (a larger test split), refusing all or more', () => {
    const set = generateSampleSet({ ...tiny, points: 16, perClass: 7, testPerClass: 4 });
    for (const label of CATEGORIES.keys()) {
      const objs = set.objects.filter((o) => o.label === label);
      expect(objs.filter((o) => o.split === 'test').length).toBe(4);
    }
    expect(set.options.testPerClass).toBe(4);
    expect(() => generateSampleSet({ ...tiny, perClass: 3, testPerClass: 3 })).toThrow(
      /testPerClass must be an integer in \[0, 2\]/,
    );
  });

  it('is deterministic: same seed, same meshes, points, cameras, split; growing perClass keeps objects', () => {
    const a = generateSampleSet(tiny);
    const b = generateSampleSet(tiny);
    const c = generateSampleSet({ ...tiny, perClass: 3 });
    for (const [i, o] of a.objects.entries()) {
      const p = b.objects[i]!;
      expect(p.id).toBe(o.id);
      expect(p.split).toBe(o.split);
      expect(Buffer.from(p.points.buffer).equals(Buffer.from(o.points.buffer))).toBe(true);
      expect(Buffer.from(p.mesh.positions.buffer).equals(Buffer.from(o.mesh.positions.buffer))).toBe(true);
      expect(p.cameras).toEqual(o.cameras);
      const q = c.objects.find((x) => x.id === o.id)!;
      expect(Buffer.from(q.points.buffer).equals(Buffer.from(o.points.buffer))).toBe(true);
    }
    const d = generateSampleSet({ ...tiny, seed: 6 });
    expect(Buffer.from(d.objects[0]!.points.buffer).equals(Buffer.from(a.objects[0]!.points.buffer))).toBe(
      false,
    );
  });

  it('renders the whole set on the GPU into [n · V, 3, S, S], bit-identical across runs', async () => {
    const ctx = gpu();
    const set = generateSampleSet({ ...tiny, perClass: 1 });
    const a = await renderSampleSet(ctx, set);
    const b = await renderSampleSet(ctx, set);
    const pa = await readF32(ctx, a);
    const pb = await readF32(ctx, b);
    expect(pa.length).toBe(13 * 2 * 3 * 32 * 32);
    expect(Buffer.from(pa.buffer).equals(Buffer.from(pb.buffer))).toBe(true);
    // Every view has object pixels (not all white) and background (some white).
    const plane = 3 * 32 * 32;
    for (let v = 0; v < 26; v++) {
      const view = pa.subarray(v * plane, (v + 1) * plane);
      let white = 0;
      for (let i = 0; i < 32 * 32; i++)
        if (view[i] === 1 && view[i + 1024] === 1 && view[i + 2048] === 1) white++;
      expect(white).toBeGreaterThan(100);
      expect(white).toBeLessThan(1024 - 20);
    }
    a.destroy();
    b.destroy();
  });

  it('writes PLY files that three.js PLYLoader reads back', () => {
    const pts = new Float32Array([0, 1, 2, 3, 4, 5]);
    const nrm = new Float32Array([1, 0, 0, 0, 0, -1]);
    const bytes = encodePly(pts, nrm);
    const g = new PLYLoader().parse(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    expect([...g.getAttribute('position').array]).toEqual([...pts]);
    expect([...g.getAttribute('normal').array]).toEqual([...nrm]);
  });

  it('crosspoint sample writes the reference layout, with HDF5 splits h5wasm reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-sample-'));
    try {
      const r = crosspoint(tinySampleArgs(dir, 5));
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(summary).toMatchObject({ objects: 26, train: 13, test: 13, images: 52 });
      expect(readFileSync(join(dir, 'classes.txt'), 'utf8').trim().split('\n')).toEqual([...CATEGORIES]);
      const set = generateSampleSet(tiny);
      for (const o of set.objects) {
        expect(existsSync(join(dir, o.synset, `${o.id}.ply`))).toBe(true);
        const rdir = join(dir, 'ShapeNetRendering', o.synset, o.id, 'rendering');
        expect(readdirSync(rdir).sort()).toEqual([
          '00.png',
          '01.png',
          'rendering_metadata.txt',
          'renderings.txt',
        ]);
        const meta = readFileSync(join(rdir, 'rendering_metadata.txt'), 'utf8').trim().split('\n');
        expect(meta.length).toBe(2);
        const [az, el] = meta[0]!.split(' ').map(Number);
        expect(az).toBeCloseTo(o.cameras[0]!.azimuth, 9);
        expect(el).toBeCloseTo(o.cameras[0]!.elevation, 9);
      }
      const o = set.objects[0]!;
      const png = decode(readFileSync(join(dir, 'ShapeNetRendering', o.synset, o.id, 'rendering', '00.png')));
      expect([png.width, png.height, png.channels]).toEqual([32, 32, 4]);
      const ply = readFileSync(join(dir, o.synset, `${o.id}.ply`));
      const g = new PLYLoader().parse(
        ply.buffer.slice(ply.byteOffset, ply.byteOffset + ply.byteLength) as ArrayBuffer,
      );
      expect(g.getAttribute('position').count).toBe(256);
      expect(
        Buffer.from(new Float32Array(g.getAttribute('position').array).buffer).equals(
          Buffer.from(o.points.buffer),
        ),
      ).toBe(true);

      await h5wasm.ready;
      for (const split of ['train', 'test'] as const) {
        const objs = set.objects.filter((x) => x.split === split);
        const f = new h5wasm.File(join(dir, `${split}.h5`), 'r');
        const data = f.get('data') as InstanceType<typeof h5wasm.Dataset>;
        const label = f.get('label') as InstanceType<typeof h5wasm.Dataset>;
        expect(data.shape).toEqual([objs.length, 256, 3]);
        expect(data.dtype).toBe('<f');
        expect(label.shape).toEqual([objs.length, 1]);
        const values = data.value as Float32Array;
        expect(
          Buffer.from(values.buffer, values.byteOffset, 256 * 12).equals(Buffer.from(objs[0]!.points.buffer)),
        ).toBe(true);
        expect([...(label.value as Uint8Array)]).toEqual(objs.map((x) => x.label));
        f.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
