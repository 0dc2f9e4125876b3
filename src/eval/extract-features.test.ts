import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import type { DgcnnConfig } from '../nn/dgcnn-config';
import { dgcnnParamSpecs } from '../nn/dgcnn-config';
import { dgcnnForwardRef } from '../nn/dgcnn.ref';
import { randomModelValues, toRefParams } from '../../test/encoder-testing';
import { Rng } from '../util/random';
import { cutClouds, extractFeatures } from './extract-features';

const gpu = setupGpu();

const C: DgcnnConfig = { k: 4, edgeWidths: [8, 8, 16, 16], emb: 32, headHidden: 32, proj: 16 };
const F = 2 * C.emb;
const values = randomModelValues(dgcnnParamSpecs(C), 7);
const model = { config: C, values };

/** n clouds of N0 points [n, N0, 3], off-centre and of different sizes so normalisation matters. */
function clouds(n: number, N0: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n * N0 * 3);
  for (let b = 0; b < n; b++) {
    const s = 0.5 + 3 * rng.next();
    const o = [rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)];
    for (let i = 0; i < N0; i++)
      for (let c = 0; c < 3; c++) x[(b * N0 + i) * 3 + c] = o[c]! + s * rng.normal();
  }
  return x;
}

/** Float64 reference: first P points, centred and scaled into the unit sphere, [B, 3, P]. */
function refInput(x: Float32Array, n: number, N0: number, P: number, normalize: boolean): Float64Array {
  const out = new Float64Array(n * 3 * P);
  for (let b = 0; b < n; b++) {
    const at = (i: number, c: number) => x[(b * N0 + i) * 3 + c]!;
    const m = [0, 0, 0];
    if (normalize) for (let i = 0; i < P; i++) for (let c = 0; c < 3; c++) m[c]! += at(i, c) / P;
    let r = 1;
    if (normalize) {
      r = 0;
      for (let i = 0; i < P; i++)
        r = Math.max(r, Math.hypot(at(i, 0) - m[0]!, at(i, 1) - m[1]!, at(i, 2) - m[2]!));
    }
    for (let c = 0; c < 3; c++) for (let i = 0; i < P; i++) out[(b * 3 + c) * P + i] = (at(i, c) - m[c]!) / r;
  }
  return out;
}

/** Rows `idx` of a row-major [?, width] array, in that order. */
function rows(f: Float32Array, idx: number[], width = F): Float32Array {
  const out = new Float32Array(idx.length * width);
  for (const [i, r] of idx.entries()) out.set(f.subarray(r * width, (r + 1) * width), i * width);
  return out;
}

describe('extractFeatures (DGCNN eval-mode features through shaders/point_augment.wgsl)', () => {
  it('matches the float64 DGCNN reference on normalised first-P points, with a padded last batch', async () => {
    const n = 5;
    const N0 = 41;
    const P = 29;
    const x = clouds(n, N0, 1);
    const got = await extractFeatures(gpu(), model, x, n, N0, { points: P, batch: 2 });
    expect(got.length).toBe(n * F);
    const want = dgcnnForwardRef(C, n, P, refInput(x, n, N0, P, true), toRefParams(values), 'eval').features;
    expectClose(got, want, 1e-5, 1e-4, 'features');
  });

  it('without normalisation feeds the raw first-P points', async () => {
    const n = 3;
    const N0 = 23;
    const x = clouds(n, N0, 2);
    const got = await extractFeatures(gpu(), model, x, n, N0, { points: 23, batch: 3, normalize: false });
    const want = dgcnnForwardRef(
      C,
      n,
      23,
      refInput(x, n, N0, 23, false),
      toRefParams(values),
      'eval',
    ).features;
    expectClose(got, want, 1e-5, 1e-4, 'features');
    // And normalisation changes them (the clouds are off-centre and not unit size).
    const norm = await extractFeatures(gpu(), model, x, n, N0, { points: 23, batch: 3 });
    expect(Math.max(...norm.map((v, i) => Math.abs(v - got[i]!)))).toBeGreaterThan(1e-2);
  });

  it("a cloud's feature is bit-identical whatever its batch, position and neighbours", async () => {
    const n = 7;
    const N0 = 32;
    const x = clouds(n, N0, 3);
    const opts = { points: 32 };
    const whole = await extractFeatures(gpu(), model, x, n, N0, { ...opts, batch: 7 });
    const by3 = await extractFeatures(gpu(), model, x, n, N0, { ...opts, batch: 3 }); // pads 2
    expect(by3).toEqual(whole);
    // The same clouds reversed, in batches of 4 (other neighbours, other positions, pads 1).
    const order = [6, 5, 4, 3, 2, 1, 0];
    const xr = rows(x, order, N0 * 3);
    const gotRev = await extractFeatures(gpu(), model, xr, n, N0, { ...opts, batch: 4 });
    expect(gotRev).toEqual(rows(whole, order));
    // One cloud alone (a plan of batch 1).
    const one = await extractFeatures(gpu(), model, x.subarray(4 * N0 * 3, 5 * N0 * 3), 1, N0, opts);
    expect(one).toEqual(rows(whole, [4]));
  });

  it('clouds with fewer points than asked are completed with replacement, and it says so', async () => {
    const n = 2;
    const N0 = 12;
    const P = 20;
    const x = clouds(n, N0, 4);
    const warnings: string[] = [];
    const got = await extractFeatures(gpu(), model, x, n, N0, {
      points: P,
      seed: 5,
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toEqual([expect.stringContaining('the clouds have 12 points, fewer than 20')]);
    const cut = cutClouds(x, n, N0, P, 5);
    expect(cut.resampled).toBe(true);
    // Each cloud keeps its own points first, then repeats of them.
    for (let b = 0; b < n; b++) {
      expect(cut.xyz.subarray(b * P * 3, (b * P + N0) * 3)).toEqual(x.subarray(b * N0 * 3, (b + 1) * N0 * 3));
      for (let i = N0; i < P; i++) {
        const p = Array.from(cut.xyz.subarray((b * P + i) * 3, (b * P + i + 1) * 3));
        const found = [...Array(N0).keys()].some((j) => p.every((v, c) => v === x[(b * N0 + j) * 3 + c]));
        expect(found, `cloud ${b} point ${i} is one of its own points`).toBe(true);
      }
    }
    const want = dgcnnForwardRef(
      C,
      n,
      P,
      refInput(cut.xyz, n, P, P, true),
      toRefParams(values),
      'eval',
    ).features;
    expectClose(got, want, 1e-5, 1e-4, 'features');
  });

  it('refuses inconsistent sizes', async () => {
    await expect(extractFeatures(gpu(), model, new Float32Array(10), 1, 4)).rejects.toThrow(
      /10 values for 1 clouds of 4/,
    );
    await expect(extractFeatures(gpu(), model, new Float32Array(12), 1, 4, { batch: 0 })).rejects.toThrow(
      /batch/,
    );
  });
});
