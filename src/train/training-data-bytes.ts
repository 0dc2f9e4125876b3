/**
 * GPU bytes a training set takes, before it is loaded (the Data panel's estimate and the
 * loaders' limit checks use the same numbers).
 */
export interface DataBytes {
  /** [objects, points, 3] f32 */
  clouds: number;
  /** [objects · views, 3, S, S] f32 */
  views: number;
  total: number;
}

export function folderDataBytes(
  objects: number,
  points: number,
  views: number,
  imageSize: number,
): DataBytes {
  const clouds = objects * points * 3 * 4;
  const v = objects * views * 3 * imageSize * imageSize * 4;
  return { clouds, views: v, total: clouds + v };
}
