import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../../test/gpu';
import { expectClose } from '../../../test/numeric';
import type { DgcnnConfig } from '../../nn/dgcnn-config';
import { randomModelValues } from '../../../test/encoder-testing';
import { runPointEncoder } from '../../nn/point-encoder-run';
import { dgcnnParamSpecs } from '../../nn/dgcnn-config';
import { saveEncoderWeights } from '../../nn/weights';
import { Rng } from '../../util/random';
import { exportEncoderOnnx, exportOnnxFromSafetensors } from './index';

const gpu = setupGpu();

// Reduced widths; B, N, k as the brief asks. The same values go to our engine and to the export.
const C: DgcnnConfig = { k: 8, edgeWidths: [16, 16, 32, 32], emb: 48, headHidden: 32, proj: 16 };
const B = 2;
const N = 64;

function modelValues(seed: number) {
  const v = randomModelValues(dgcnnParamSpecs(C), seed);
  // BN scales of both signs: the export folds BN into the weights before the max over neighbours.
  const rng = new Rng(seed + 7);
  for (let l = 1; l <= 5; l++) {
    const gamma = v.get(`bn${l}.weight`) as Float32Array;
    for (let i = 0; i < gamma.length; i++) if (rng.next() < 0.3) gamma[i] = -gamma[i]!;
  }
  return v;
}

async function runOnnx(bytes: Uint8Array, points: Float32Array, dims: number[]) {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const out = await session.run({ points: new ort.Tensor('float32', points, dims) });
    return out;
  } finally {
    await session.release();
  }
}

/** Queries (b, i) whose neighbour lists differ, per EdgeConv. */
function knnFlips(ours: Int32Array, theirs: BigInt64Array, k: number): number {
  let flips = 0;
  for (let q = 0; q < ours.length / k; q++) {
    for (let s = 0; s < k; s++) {
      if (BigInt(ours[q * k + s]!) !== theirs[q * k + s]) {
        flips++;
        break;
      }
    }
  }
  return flips;
}

describe('ONNX export of the DGCNN encoder (src/export/onnx, run in onnxruntime-web WASM)', () => {
  it('features equal our GPU engine eval forward within float32 tolerance', async () => {
    const values = modelValues(3);
    const xyz = new Rng(11).normalArray(B * N * 3, 0.6); // [B, N, 3]
    const ours = await runPointEncoder(gpu(), { kind: 'dgcnn', config: C }, values, xyz, B, N, 'eval');
    // Channel-first input [B, 3, N], as the engine takes it.
    const cf = new Float32Array(B * 3 * N);
    for (let b = 0; b < B; b++)
      for (let n = 0; n < N; n++)
        for (let c = 0; c < 3; c++) cf[(b * 3 + c) * N + n] = xyz[(b * N + n) * 3 + c]!;
    const bytes = exportEncoderOnnx({ kind: 'dgcnn', config: C }, values, {
      batch: B,
      points: N,
      knnOutputs: true,
    });
    const out = await runOnnx(bytes, cf, [B, 3, N]);
    expect(out.features!.dims).toEqual([B, 2 * C.emb]);
    // Near-tie kNN flips (the MatMul form of the distances rounds differently from our exact
    // differences; crosspoint-weights.md §5) would change a point's features by up to ~1e-2. With
    // these inputs there are none, and the neighbour lists agree exactly, nearest first.
    const flips = [0, 1, 2, 3].map((l) =>
      knnFlips(ours.knn[l]!, out[`knn${l + 1}`]!.data as BigInt64Array, C.k),
    );
    expect(flips).toEqual([0, 0, 0, 0]);
    expectClose(out.features!.data as Float32Array, ours.features, 1e-4, 1e-4, 'features');
  });

  it('points-first input [B, N, 3] from a safetensors file gives the same features', async () => {
    const values = modelValues(5);
    const xyz = new Rng(12).normalArray(B * N * 3, 0.6);
    const file = saveEncoderWeights({ kind: 'dgcnn', config: C }, values);
    const a = exportOnnxFromSafetensors(file, { batch: B, points: N, layout: 'points-first' });
    const cf = new Float32Array(B * 3 * N);
    for (let b = 0; b < B; b++)
      for (let n = 0; n < N; n++)
        for (let c = 0; c < 3; c++) cf[(b * 3 + c) * N + n] = xyz[(b * N + n) * 3 + c]!;
    const b = exportEncoderOnnx({ kind: 'dgcnn', config: C }, values, { batch: B, points: N });
    const fa = (await runOnnx(a, xyz, [B, N, 3])).features!.data as Float32Array;
    const fb = (await runOnnx(b, cf, [B, 3, N])).features!.data as Float32Array;
    expect(Array.from(fa)).toEqual(Array.from(fb));
    // k comes from the file's metadata; the file's k (8) is in the model's metadata too.
    expect(new TextDecoder().decode(a)).toContain('points-first');
  });

  it('refuses PointNet and a k larger than the point count', () => {
    const values = modelValues(1);
    expect(() => exportEncoderOnnx({ kind: 'dgcnn', config: C }, values, { batch: 1, points: 4 })).toThrow(
      /4 points per cloud are fewer than k = 8 neighbours/,
    );
    expect(() =>
      exportEncoderOnnx(
        { kind: 'pointnet', config: { widths: [8, 8, 8, 16], emb: 32, headHidden: 16, proj: 8 } },
        values,
        { batch: 1, points: 16 },
      ),
    ).toThrow(/supports the DGCNN encoder, not pointnet/);
  });
});
