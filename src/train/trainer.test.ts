import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { crosspoint } from '../../test/cli';
import { setupGpu } from '../../test/gpu';
import { microConfig, microTrainingData } from '../../test/trainer-fixtures';
import { expectClose } from '../../test/numeric';
import { pointAugmentRef } from '../kernels/point_augment.ref';
import { drawAugmentParams, NO_AUGMENT } from '../kernels/point_augment-params';
import { readF32 } from '../gpu/buffers';
import { readSafetensors } from '../io/safetensors';
import { Rng } from '../util/random';
import { readNpy, writeNpy } from '../io/npy';
import { Trainer } from './trainer';
import type { StepMetrics } from './trainer-api';
import type { TrainingData } from './training-data';

const gpu = setupGpu();

const MICRO = microConfig();

let data: TrainingData;

beforeAll(async () => {
  data = await microTrainingData(gpu());
});
afterAll(() => data?.destroy());

async function steps(t: Trainer, n: number): Promise<StepMetrics[]> {
  const out: StepMetrics[] = [];
  for (let i = 0; i < n; i++) {
    const r = await t.trainStep();
    if (!r.ok) throw new Error(r.fault.message);
    out.push(r.metrics);
  }
  return out;
}

describe('CrossPoint trainer', () => {
  it('overfits one fixed batch: L falls steadily', async () => {
    const t = await Trainer.create(gpu(), { ...MICRO, fixedBatch: true, augment: false, lr: 3e-3 }, data);
    const m = await steps(t, 12);
    const L = m.map((x) => x.loss);
    expect(L.every(Number.isFinite)).toBe(true);
    expect(L[L.length - 1]!).toBeLessThan(0.6 * L[0]!);
    // Both terms are reported and add up.
    for (const x of m) expect(x.loss).toBeCloseTo(x.lImid + x.lCmid, 5);
    t.dispose();
  });

  it("a cloud outside the dataset gets the same features as the dataset's copy of it", async () => {
    const t = await Trainer.create(gpu(), MICRO, data);
    await steps(t, 1);
    const objs = [5, 0, 11];
    const ref = await t.features(objs);
    const F = ref.length / objs.length;
    for (const [i, o] of objs.entries()) {
      // Scaled and shifted: the eval path centres and scales clouds to the unit sphere first.
      const cloud = data.hostClouds[o]!.map((v, j) => 3 * v + (j % 3) - 1);
      const got = await t.cloudFeatures(cloud);
      expect(got.length).toBe(F);
      let maxErr = 0;
      for (let j = 0; j < F; j++) maxErr = Math.max(maxErr, Math.abs(got[j]! - ref[i * F + j]!));
      expect(maxErr).toBeLessThan(1e-4);
    }
    await expect(t.cloudFeatures(new Float32Array(9))).rejects.toThrow(/3 points; the model needs 32/);
    t.dispose();
  });

  it('many clouds at once: the features of each, in order, from their first N points', async () => {
    const t = await Trainer.create(gpu(), MICRO, data);
    // 11 clouds: one full chunk of 2·batch = 8 and a part chunk of 3; 37 points each, of which
    // the 5 past the model's 32 are far away (they must not be read).
    const objs = [3, 0, 7, 12, 1, 25, 9, 4, 18, 2, 6];
    const N = 32;
    const N0 = N + 5;
    const clouds = new Float32Array(objs.length * N0 * 3); // [11, 37, 3]
    objs.forEach((o, i) => {
      clouds.set(
        data.hostClouds[o]!.map((v, j) => 2 * v - (j % 3)),
        i * N0 * 3,
      );
      clouds.fill(1e3, i * N0 * 3 + N * 3, (i + 1) * N0 * 3);
    });
    const ref = await t.features(objs);
    const got = await t.cloudsFeatures(clouds, objs.length);
    expect(got.length).toBe(ref.length);
    expectClose(got, ref, 1e-4, 1e-4);
    await expect(t.cloudsFeatures(new Float32Array(2 * 20 * 3), 2)).rejects.toThrow(
      /clouds of 20 points; the model needs at least 32/,
    );
    t.dispose();
  });

  it('embed: each object gets the projections it gets alone, across point (2B) and image (B) chunks', async () => {
    const t = await Trainer.create(gpu(), MICRO, data);
    await steps(t, 1);
    // 11 objects: one full 2B = 8 point chunk (two image chunks), then 3 (one padded image chunk).
    const objs = [3, 0, 25, 7, 12, 1, 19, 8, 4, 22, 10];
    const all = await t.embed(objs);
    expect(all.labels).toEqual(objs.map((o) => data.labels[o]));
    const P = all.dim;
    for (const [i, o] of objs.entries()) {
      const one = await t.embed([o]);
      expectClose(all.point.subarray(i * P, (i + 1) * P), one.point, 1e-5, 1e-4, `point row ${i}`);
      expectClose(all.image.subarray(i * P, (i + 1) * P), one.image, 1e-5, 1e-4, `image row ${i}`);
    }
    // Distinct objects, distinct rows (no row left at zero or copied from its neighbour).
    expect(all.point.subarray(0, P)).not.toEqual(all.point.subarray(P, 2 * P));
    expect(all.image.subarray(8 * P, 9 * P)).not.toEqual(all.image.subarray(9 * P, 10 * P));
    t.dispose();
  });

  it('resuming from a checkpoint gives exactly the losses of an uninterrupted run', async () => {
    const a = await Trainer.create(gpu(), MICRO, data);
    const straight = (await steps(a, 5)).map((x) => [x.lImid, x.lCmid]);
    a.dispose();

    const b = await Trainer.create(gpu(), MICRO, data);
    await steps(b, 2);
    const ckpt = await b.saveCheckpoint();
    b.dispose();
    const c = await Trainer.create(gpu(), MICRO, data);
    await c.loadCheckpoint(ckpt);
    expect(c.step).toBe(2);
    const resumed = (await steps(c, 3)).map((x) => [x.lImid, x.lCmid]);
    c.dispose();
    expect(resumed).toEqual(straight.slice(2));
  });

  it('the same seed gives the same losses; another seed gives others', async () => {
    const run = async (seed: number) => {
      const t = await Trainer.create(gpu(), { ...MICRO, seed }, data);
      const m = await steps(t, 2);
      t.dispose();
      return m.map((x) => x.loss);
    };
    const one = await run(3);
    expect(await run(3)).toEqual(one);
    expect(await run(4)).not.toEqual(one);
  });

  it('a NaN in a parameter stops the step, names the tensor and restores the last good checkpoint', async () => {
    const ctx = gpu();
    const t = await Trainer.create(ctx, MICRO, data);
    await steps(t, 2);
    await t.saveCheckpoint();
    const good = await t.point.params.download();
    const name = 'conv2.0.weight';
    const w = new Float32Array((good.get(name) as Float32Array).length).fill(0.01);
    w[3] = Number.NaN;
    ctx.device.queue.writeBuffer(t.point.params.value(name), 0, w);
    const r = await t.trainStep();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fault.kind).toBe('non-finite');
    expect(r.fault.tensor).toBe(`point_model.${name}`);
    expect(r.fault.message).toContain('L_imid');
    expect(r.fault.restoredStep).toBe(2);
    expect(t.step).toBe(2);
    const restored = await t.point.params.download();
    expect(restored.get(name)).toEqual(good.get(name));
    const after = await t.trainStep();
    expect(after.ok).toBe(true);
    t.dispose();
  });

  it('refuses a batch larger than the training split, saying what to lower', async () => {
    await expect(Trainer.create(gpu(), { ...MICRO, batch: 64 }, data)).rejects.toThrow(
      `Batch must be an integer from 2 to ${data.trainIndices.length} (the objects in the training split)`,
    );
  });

  it('refuses a step whose buffers exceed the adapter limits before allocating, saying what to lower', async () => {
    const ctx = gpu();
    // The same device with a 64 KiB binding limit: MICRO's EdgeConv buffers are larger than that.
    const small = { ...ctx, limits: { ...ctx.limits, maxStorageBufferBindingSize: 64 * 1024 } };
    const created = vi.spyOn(ctx.device, 'createBuffer');
    await expect(Trainer.create(small, MICRO, data)).rejects.toThrow(
      /step's buffer "point\..*maxStorageBufferBindingSize is 64.0 KiB: lower the batch, the point count or the preset/,
    );
    expect(created).not.toHaveBeenCalled();
    created.mockRestore();
  });

  it('augment: false feeds each cloud normalised only (both copies alike, every step) and draws no augmentation', async () => {
    const ctx = gpu();
    const B = MICRO.batch!;
    const N = MICRO.model!.points!;
    const t = await Trainer.create(ctx, { ...MICRO, fixedBatch: true, augment: false }, data);
    // The op that would draw per-cloud parameters from the trainer's generator.
    const ops = (t as unknown as { ops: { pointAugment: { draw: (r: Rng) => unknown } } }).ops;
    const draw = vi.spyOn(ops.pointAugment, 'draw');
    const raw = new Float32Array(2 * B * N * 3); // [2B, N, 3]: the batch's clouds, twice
    data.trainIndices.slice(0, B).forEach((obj, i) => {
      for (const slot of [i, B + i]) raw.set(data.hostClouds[obj]!.subarray(0, N * 3), slot * N * 3);
    });
    const want = pointAugmentRef(
      raw,
      2 * B,
      N,
      drawAugmentParams(new Rng(0), 2 * B, NO_AUGMENT),
      NO_AUGMENT,
    ).out;
    const inputs: Float32Array[] = [];
    for (let i = 0; i < 2; i++) {
      await steps(t, 1);
      inputs.push(await readF32(ctx, t.point.input, 2 * B * 3 * N));
    }
    expect(draw).not.toHaveBeenCalled();
    expectClose(inputs[0]!, want, 1e-6, 1e-5, 'point input');
    expect(inputs[1]).toEqual(inputs[0]);
    t.dispose();
    // The control: with augmentation the same fixed batch gives other inputs at each step.
    const a = await Trainer.create(ctx, { ...MICRO, fixedBatch: true }, data);
    const augmented: Float32Array[] = [];
    for (let i = 0; i < 2; i++) {
      await steps(a, 1);
      augmented.push(await readF32(ctx, a.point.input, 2 * B * 3 * N));
    }
    expect(augmented[1]).not.toEqual(augmented[0]);
    expect(augmented[0]).not.toEqual(inputs[0]);
    a.dispose();
  });

  it('num_batches_tracked counts each training step once (as PyTorch): 3 after 3 steps', async () => {
    const t = await Trainer.create(gpu(), MICRO, data);
    await steps(t, 3);
    const file = readSafetensors(await t.saveCheckpoint());
    t.dispose();
    const counters = [...file.tensors].filter(([name]) => name.endsWith('.num_batches_tracked'));
    // Both encoders' BatchNorms (the DGCNN's five and its head's, the ResNet's).
    expect(counters.some(([n]) => n.startsWith('point_model.'))).toBe(true);
    expect(counters.some(([n]) => n.startsWith('img_model.'))).toBe(true);
    for (const [name, tensor] of counters) expect([...(tensor.data as BigInt64Array)], name).toEqual([3n]);
    // The data it trained on is named in the metadata.
    const s = data.summary;
    expect(JSON.parse(file.metadata.dataset!)).toEqual({
      name: s.name,
      classes: s.classes.length,
      train: data.trainIndices.length,
      test: data.testIndices.length,
      points: s.points,
      views: s.views,
      image_size: s.imageSize,
    });
  });

  it('a checkpoint loads in the encoder commands (point_model.* with reference names)', async () => {
    const t = await Trainer.create(gpu(), MICRO, data);
    await steps(t, 1);
    const dir = mkdtempSync(join(tmpdir(), 'crosspoint-ckpt-'));
    writeFileSync(join(dir, 'ckpt.safetensors'), await t.saveCheckpoint());
    const clouds = new Float32Array(2 * 32 * 3);
    clouds.set(data.hostClouds[0]!.subarray(0, 96), 0);
    clouds.set(data.hostClouds[1]!.subarray(0, 96), 96);
    writeFileSync(join(dir, 'x.npy'), writeNpy(clouds, [2, 32, 3]));
    const r = crosspoint([
      'encode',
      '--input',
      join(dir, 'x.npy'),
      '--weights',
      join(dir, 'ckpt.safetensors'),
      '--k',
      '4',
      '--out',
      join(dir, 'out'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const feats = readNpy(new Uint8Array(readFileSync(join(dir, 'out', 'features.npy'))));
    expect(feats.shape).toEqual([2, 64]);
    expect([...(feats.data as Float32Array)].every(Number.isFinite)).toBe(true);
    t.dispose();
  });
});
