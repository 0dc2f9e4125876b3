/** Set-up shared by the CLI tests: a scratch folder, a small DGCNN weights file, the real ModelNet40 subset. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { readNpy } from '../src/io/npy';
import { sharedDataDir } from './shared-data';
import type { DgcnnConfig } from '../src/nn/dgcnn-config';
import { randomModelValues } from './encoder-testing';
import { encoderParamSpecs, saveEncoderWeights } from '../src/nn/weights';

/** A temporary folder removed after the file's tests, and a writer of files into it. */
export function scratchDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const save = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  return { dir, save };
}

/** A DGCNN small enough to run in seconds on SwiftShader (k is stored in the file's metadata). */
export const SMALL_DGCNN: DgcnnConfig = {
  k: 4,
  edgeWidths: [8, 8, 16, 16],
  emb: 16,
  headHidden: 12,
  proj: 8,
};

/** Random values for SMALL_DGCNN from `seed`, saved as `w.safetensors` with reference names. */
export function smallDgcnnWeights(save: (name: string, bytes: Uint8Array) => string, seed: number) {
  const model = { kind: 'dgcnn' as const, config: SMALL_DGCNN };
  const values = randomModelValues(encoderParamSpecs(model), seed);
  const weights = save('w.safetensors', saveEncoderWeights(model, values));
  return { config: SMALL_DGCNN, model, values, weights };
}

/** The real ModelNet40 subset of ../shared/data (official HDF5 layout), read in place; guard with haveSharedData. */
export function modelNetSubset() {
  const dir = join(sharedDataDir(), 'modelnet40_subset');
  return { train: join(dir, 'ply_data_train0.h5'), test: join(dir, 'ply_data_test0.h5') };
}

/**
 * The encoder's input as a float64 reference computes it: the first P points of each cloud in
 * `rows` of a [clouds, N0, 3] set, centred and scaled to the unit sphere, channel-major [rows, 3, P].
 */
export function unitSphereInput(
  points: ArrayLike<number>,
  N0: number,
  rows: ArrayLike<number>,
  P: number,
): Float64Array {
  const x = new Float64Array(rows.length * 3 * P);
  Array.from(rows).forEach((r, b) => {
    const at = (i: number, c: number) => points[(r * N0 + i) * 3 + c]!;
    const m = [0, 1, 2].map((c) => {
      let s = 0;
      for (let i = 0; i < P; i++) s += at(i, c);
      return s / P;
    });
    let rad = 0;
    for (let i = 0; i < P; i++) rad = Math.max(rad, Math.hypot(...[0, 1, 2].map((c) => at(i, c) - m[c]!)));
    for (let c = 0; c < 3; c++) for (let i = 0; i < P; i++) x[(b * 3 + c) * P + i] = (at(i, c) - m[c]!) / rad;
  });
  return x;
}

/**
 * Checks pos.l.npy in `out` against a float64 reference forward: uint8 [B, Cout_l, N], 0/1, and
 * equal to the sign of the reference's BN output at the engine's own recorded winner
 * (argmax.l.npy) wherever that value is clear of float32 ties (|z| > 1e-4).
 */
export function expectPosFiles(
  out: string,
  config: DgcnnConfig,
  ref: { layers: readonly { act: Float64Array }[] },
  B: number,
  N: number,
): void {
  const npy = (p: string) => readNpy(readFileSync(join(out, p)));
  for (let l = 1; l <= 4; l++) {
    const O = config.edgeWidths[l - 1]!;
    const pos = npy(`pos.${l}.npy`);
    expect(pos, `pos.${l}`).toMatchObject({ dtype: 'uint8', shape: [B, O, N] });
    const arg = npy(`argmax.${l}.npy`).data as Int32Array;
    const act = ref.layers[l - 1]!.act; // [B, O, N·k]; LeakyReLU keeps the sign of the BN output
    let clear = 0;
    const ones = [0, 0];
    for (let t = 0; t < B * O * N; t++) {
      const p = pos.data[t] as number;
      expect(p === 0 || p === 1, `pos.${l}[${t}] = ${p}`).toBe(true);
      ones[p]!++;
      const z = act[t * config.k + arg[t]!]!;
      if (Math.abs(z) <= 1e-4) continue;
      clear++;
      if (p !== (z > 0 ? 1 : 0)) expect.fail(`pos.${l}[${t}] = ${p} but the winner's BN output is ${z}`);
    }
    // Both branches occur and almost every winner is clear of a tie, so the comparison has teeth.
    expect(ones[0], `pos.${l} zeros`).toBeGreaterThan(0);
    expect(ones[1], `pos.${l} ones`).toBeGreaterThan(0);
    expect(clear, `pos.${l} compared`).toBeGreaterThan(0.9 * B * O * N);
  }
}
