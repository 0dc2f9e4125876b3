import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { microConfig } from '../../test/trainer-fixtures';
import { readFolderIndex } from '../data/folder-files.node';
import type { FolderIndex } from '../data/folder-index';
import { MemoryObjectCache, recordBytes } from '../data/object-cache';
import { writeSampleSet } from '../data/sample-export';
import { generateSampleSet } from '../data/sample-set';
import { FeatureSnapshot } from './feature-snapshot';
import { Trainer } from './trainer';
import { type FolderTrainingData, streamReason, trainingDataFromFolder } from './training-data-folder';

// A set over the GPU budget streams its batches from a cache (OPFS or IndexedDB in the tab; the
// same interface in memory here) through a two-slot GPU ring: the same seed must give the same
// batches and the same numbers, bit for bit, as the same set resident on the GPU.

const gpu = setupGpu();
const root = mkdtempSync(join(tmpdir(), 'crosspoint-stream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MICRO = microConfig({ seed: 7 });
const LOAD = { points: 40, views: 3, imageSize: 8, seed: 2 };

/** Counts the cache's reads, so a test can see what the ring asked for. */
class CountingCache extends MemoryObjectCache {
  cloudReads: number[] = [];
  override async readCloud(object: number) {
    this.cloudReads.push(object);
    return super.readCloud(object);
  }
}

let index: FolderIndex;
let resident: FolderTrainingData;
let streamed: FolderTrainingData;
let cache: CountingCache | undefined;

beforeAll(async () => {
  const dir = join(root, 'sample');
  const set = generateSampleSet({ perClass: 2, points: 64, views: 3, imageSize: 16, seed: 5 });
  await writeSampleSet(gpu(), set, dir);
  index = await readFolderIndex(dir);
  resident = await trainingDataFromFolder(gpu(), index, LOAD);
  streamed = await trainingDataFromFolder(gpu(), index, {
    ...LOAD,
    budget: 1000, // bytes: far below the set, so it streams
    streamCache: async (shape) => {
      cache = new CountingCache(shape);
      return cache;
    },
  });
});
afterAll(() => {
  resident?.destroy();
  streamed?.destroy();
});

async function losses(t: Trainer, n: number): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const r = await t.trainStep();
    if (!r.ok) throw new Error(r.fault.message);
    out.push([r.metrics.lImid, r.metrics.lCmid]);
  }
  return out;
}

describe('a set over the budget streams its batches from a cache', () => {
  it('loads into the cache, not the GPU, and says why, with the bytes written', () => {
    expect(resident.stream).toBeUndefined();
    expect(streamed.views8).toBeUndefined();
    expect(streamed.clouds).toBeUndefined();
    expect(streamed.stream).toBe(cache);
    const shape = { points: 40, views: 3, size: 8 };
    const { readMsPerObject, ...info } = streamed.report.stream!;
    expect(info).toEqual({
      where: 'memory',
      need: 26 * recordBytes(shape),
      limit: 1000,
      limitName: "the tab's budget for a dataset",
      cacheBytes: 26 * recordBytes(shape),
    });
    expect(readMsPerObject).toBeGreaterThanOrEqual(0);
    expect(streamReason(info)).toBe("0.03 MiB, over the tab's budget for a dataset of 0.00 MiB");
    expect(streamed.summary).toEqual(resident.summary);
    expect(streamed.trainIndices).toEqual(resident.trainIndices);
  });

  it('the cache holds the bytes the GPU store holds: clouds and 8-bit views alike', async () => {
    for (const obj of [0, 7, 25]) {
      expect(await cache!.readCloud(obj)).toEqual(resident.hostClouds[obj]);
      for (let v = 0; v < 3; v++)
        expect(Array.from(await cache!.readView(obj, v))).toEqual(
          Array.from(await resident.views8!.read(obj * 3 + v)),
        );
    }
  });

  it('streamed training gives the resident losses bit for bit, into a second epoch, prefetching the next batch', async () => {
    const a = await Trainer.create(gpu(), MICRO, resident);
    const b = await Trainer.create(gpu(), MICRO, streamed);
    try {
      expect(a.streamReads).toBeUndefined();
      expect(a.stepsPerEpoch).toBe(3); // 13 train objects, batch 4: step 4 starts a new shuffle
      const want = await losses(a, 4);
      cache!.cloudReads = [];
      const got = await losses(b, 4);
      expect(got).toEqual(want);
      // Each step read exactly its batch (4 clouds, 4 views), every step after the first found it
      // prefetched while the step before ran, and step 5's batch is read already.
      expect(b.streamReads).toMatchObject({ clouds: 20, views: 20, prefetchHits: 3, prefetchMisses: 0 });
      expect(cache!.cloudReads.every((o) => streamed.trainIndices.includes(o))).toBe(true);
      // The weights after four steps are the same too.
      const wa = await a.point.params.download();
      const wb = await b.point.params.download();
      for (const [name, v] of wa) expect(wb.get(name), name).toEqual(v);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('features and embeddings of streamed objects equal the resident ones; training goes on after them', async () => {
    const a = await Trainer.create(gpu(), MICRO, resident);
    const b = await Trainer.create(gpu(), MICRO, streamed);
    try {
      await losses(a, 1);
      await losses(b, 1);
      // More objects than one slot holds (2B = 8 clouds), in an odd order.
      const objs = [3, 25, 0, 11, 7, 19, 2, 14, 5];
      expect(await b.features(objs)).toEqual(await a.features(objs));
      const ea = await a.embed(objs);
      const eb = await b.embed(objs);
      expect(eb.point).toEqual(ea.point);
      expect(eb.image).toEqual(ea.image);
      // The eval-only snapshot (few-shot while training) reads the streamed set's host clouds.
      const [sa, sb] = [await FeatureSnapshot.of(a), await FeatureSnapshot.of(b)];
      expect(await sb.features(objs)).toEqual(await sa.features(objs));
      sa.dispose();
      sb.dispose();
      // The analyses took the prefetched slot: the next step reads its batch again, same numbers.
      expect(await losses(b, 2)).toEqual(await losses(a, 2));
      expect(b.streamReads!.prefetchMisses).toBeGreaterThan(0);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('a checkpoint of a streamed run resumes on the resident set with the same losses', async () => {
    const b = await Trainer.create(gpu(), MICRO, streamed);
    const a = await Trainer.create(gpu(), MICRO, resident);
    try {
      await losses(b, 2);
      const ckpt = await b.saveCheckpoint();
      const straight = await losses(b, 2);
      await a.loadCheckpoint(ckpt);
      expect(await losses(a, 2)).toEqual(straight);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('opening the cache', () => {
  it('a disk too small is refused before anything is read, with the message of the cache that refused', async () => {
    await expect(
      trainingDataFromFolder(gpu(), index, {
        ...LOAD,
        budget: 1000,
        streamCache: async (shape, objects) => {
          const need = objects * recordBytes(shape);
          throw new Error(`the disk quota leaves 10 bytes; the cache needs ${need}`);
        },
      }),
    ).rejects.toThrow(
      `the disk quota leaves 10 bytes; the cache needs ${26 * recordBytes({ points: 40, views: 3, size: 8 })}`,
    );
  });

  it('without a cache a set over the budget is still refused, naming the budget', async () => {
    await expect(trainingDataFromFolder(gpu(), index, { ...LOAD, budget: 1000 })).rejects.toThrow(
      /over the tab's 0.00 MiB budget for a dataset \(it holds 0 such objects\)/,
    );
  });

  it("clouds over the adapter's largest buffer stream too, within the budget, and say so", async () => {
    const ctx = gpu();
    // 26 clouds of 40 points take 12,480 bytes: over a 10,000-byte buffer limit, far under 4 GiB.
    const small = { ...ctx, limits: { ...ctx.limits, maxBufferSize: 10_000 } };
    const d = await trainingDataFromFolder(small, index, { ...LOAD, streamCache: MemoryObjectCache.open });
    try {
      expect(d.clouds).toBeUndefined();
      const { readMsPerObject: _, ...info } = d.report.stream!;
      expect(info).toMatchObject({ need: 12_480, limit: 10_000 });
      expect(streamReason(info)).toBe("0.01 MiB, over the adapter's largest buffer (the clouds) of 0.01 MiB");
    } finally {
      d.destroy();
    }
  });

  it('destroying a streamed set clears its cache', async () => {
    let c: MemoryObjectCache | undefined;
    const d = await trainingDataFromFolder(gpu(), index, {
      ...LOAD,
      subset: { classes: ['02691156'], perClass: 0 },
      budget: 1000,
      streamCache: async (shape) => {
        c = new MemoryObjectCache(shape);
        return c;
      },
    });
    expect(Array.from(await c!.readView(1, 2)).length).toBe(8 * 8 * 4);
    d.destroy();
    await Promise.resolve();
    await expect(c!.readCloud(0)).rejects.toThrow('object 0 was never written');
  });
});
