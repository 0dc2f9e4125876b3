/** Records and checks shared by the object-cache tests (file, OPFS, IndexedDB): every cache keeps the same contract. */
import { expect } from 'vitest';
import type { ObjectCache } from '../src/data/object-cache';

/** A record shape small enough to check byte by byte: 5 points, 3 views of 4 × 4. */
export const shape = { points: 5, views: 3, size: 4 };
/** Object i's cloud, [5·3] f32, distinct per object. */
export const cloud = (i: number) => Float32Array.from({ length: 15 }, (_, j) => i * 100 + j + 0.25);
/** Object i's view v, [4·4·4] RGBA8, distinct per object and view. */
export const view = (i: number, v: number) =>
  Uint8Array.from({ length: 64 }, (_, j) => (i * 31 + v * 7 + j) % 256);

/** Writes the records of `objects` in that order (out of order on purpose). */
export async function writeRecords(cache: ObjectCache, objects: readonly number[]): Promise<void> {
  for (const i of objects)
    await cache.write(
      i,
      cloud(i),
      [0, 1, 2].map((v) => view(i, v)),
    );
}

/** After all of 0 … objects − 1 were written: each reads back, and what is out of range is refused. */
export async function expectRecordsReadBack(cache: ObjectCache, objects: number): Promise<void> {
  expect(await cache.readCloud(objects - 1)).toEqual(cloud(objects - 1));
  expect(await cache.readView(1, 2)).toEqual(view(1, 2));
  expect(await cache.readView(0, 0)).toEqual(view(0, 0));
  await expect(cache.readView(1, 3)).rejects.toThrow('view 3 outside 0..2');
  await expect(cache.readCloud(objects)).rejects.toThrow(`object ${objects} outside 0..${objects - 1}`);
  await expect(cache.write(0, cloud(0), [view(0, 0)])).rejects.toThrow('1 views, expected 3');
}
