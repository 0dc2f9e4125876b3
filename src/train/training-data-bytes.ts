/**
 * GPU bytes a training set takes, before it is loaded (the Data panel's estimate, the loaders'
 * checks and the figures in README.md use the same numbers).
 */
export interface DataBytes {
  /** [objects, points, 3] f32 */
  clouds: number;
  /** [objects · views] views of S×S as 8-bit RGBA (src/gpu/view-store.ts) */
  views: number;
  total: number;
}

/**
 * What the tab lets a dataset (clouds and views) take on the GPU: a folder over it is refused
 * before anything is read, saying what to lower. Training buffers come on top (`crosspoint plan`).
 */
export const DATA_BUDGET_BYTES = 4 * 1024 ** 3;

export function folderDataBytes(
  objects: number,
  points: number,
  views: number,
  imageSize: number,
): DataBytes {
  const clouds = objects * points * 3 * 4;
  const v = objects * views * imageSize * imageSize * 4;
  return { clouds, views: v, total: clouds + v };
}

/** Most objects whose clouds and views fit in `budget` bytes. */
export function largestSet(budget: number, points: number, views: number, imageSize: number): number {
  return Math.floor(budget / folderDataBytes(1, points, views, imageSize).total);
}
