import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { expectClose } from '../../test/numeric';
import { readNpy, writeNpy } from '../io/npy';
import type { DgcnnConfig } from '../nn/dgcnn-config';
import { randomModelValues } from '../../test/encoder-testing';
import { encoderParamSpecs, saveEncoderWeights } from '../nn/weights';
import { Rng } from '../util/random';

const dir = mkdtempSync(join(tmpdir(), 'crosspoint-export-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config: DgcnnConfig = { k: 6, edgeWidths: [8, 8, 16, 16], emb: 24, headHidden: 12, proj: 8 };
const model = { kind: 'dgcnn' as const, config };
const weights = join(dir, 'w.safetensors');
writeFileSync(weights, saveEncoderWeights(model, randomModelValues(encoderParamSpecs(model), 9)));
const B = 2;
const N = 40;

describe('crosspoint export-onnx', () => {
  it('round-trips: the exported model in onnxruntime-web gives the features `crosspoint encode` gives', async () => {
    const xyz = new Rng(4).normalArray(B * N * 3, 0.7); // [B, N, 3]
    const input = join(dir, 'x.npy');
    writeFileSync(input, writeNpy(xyz, [B, N, 3]));
    const onnxPath = join(dir, 'm.onnx');
    const r = crosspoint([
      'export-onnx',
      '--weights',
      weights,
      '--out',
      onnxPath,
      '--points',
      String(N),
      '--batch',
      String(B),
      '--layout',
      'points-first',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      k: 6,
      opset: 17,
      inputs: { points: [B, N, 3] },
      outputs: { features: [B, 48] },
    });
    const e = crosspoint(['encode', '--input', input, '--weights', weights, '--out', join(dir, 'enc')]);
    expect(e.code, e.stderr).toBe(0);
    const ours = readNpy(readFileSync(join(dir, 'enc', 'features.npy')));
    const session = await ort.InferenceSession.create(readFileSync(onnxPath), {
      executionProviders: ['wasm'],
    });
    const out = await session.run({ points: new ort.Tensor('float32', xyz, [B, N, 3]) });
    await session.release();
    expect(out.features!.dims).toEqual([B, 48]);
    expectClose(out.features!.data as Float32Array, ours.data as Float32Array, 1e-4, 1e-4, 'features');
  });

  it('exits 2 with one line for a k above the point count, and for a missing --out', () => {
    const r = crosspoint(['export-onnx', '--seed', '1', '--points', '8', '--out', join(dir, 'x.onnx')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/8 points per cloud are fewer than k = 20 neighbours$/);
    const m = crosspoint(['export-onnx', '--seed', '1']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('missing --out');
  });
});
