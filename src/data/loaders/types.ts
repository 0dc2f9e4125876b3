/** Which reader produced a shape, and which encoding it found. */
export type DataFormat =
  | 'ply-ascii'
  | 'ply-binary-le'
  | 'ply-binary-be'
  | 'off'
  | 'obj'
  | 'modelnet40-txt'
  | 'shapenetpart-txt'
  | 'hdf5';

/**
 * One shape as read from a file. A point cloud has no faces; a mesh has `faces` and its `points`
 * are the mesh vertices (sample the surface with toPointCloud before feeding it to a model).
 */
export interface LoadedShape {
  file: string;
  format: DataFormat;
  /** [N·3] xyz per point (or per mesh vertex). */
  points: Float32Array;
  /** [N·3] per-point normals, when the file has them. */
  normals?: Float32Array;
  /** [F·3] triangle vertex indices (polygons fan-triangulated), when the file is a mesh. */
  faces?: Uint32Array;
  /** Per-point attribute names found in the file (x, y, z, nx, red, ...). */
  properties: string[];
  /** Object class index, when the file or its name says (ModelNet40 order, or ShapeNetPart category). */
  label?: number;
  /** Name of that class. */
  className?: string;
  /** [N] per-point labels (ShapeNetPart part ids). */
  pointLabels?: Int32Array;
  /** Things that were odd but not fatal (ignored extra data, dropped normals...). */
  warnings: string[];
}

export interface LoadedCloud extends LoadedShape {
  faces?: undefined;
}

export interface LoadedMesh extends LoadedShape {
  faces: Uint32Array;
}

/** Many clouds of equal size from one file (ModelNet40 / ScanObjectNN / ShapeNetPart HDF5). */
export interface LoadedSet {
  file: string;
  format: 'hdf5';
  /** Number of clouds B. */
  count: number;
  /** Points per cloud N. */
  pointsPerCloud: number;
  /** [B·N·3] */
  points: Float32Array;
  /** [B·N·3] */
  normals?: Float32Array;
  /** [B] class index per cloud. */
  labels?: Int32Array;
  /** [B·N] part id per point (`pid`), or the ScanObjectNN `mask`. */
  pointLabels?: Int32Array;
  /** Datasets found in the file, as "name dtype [shape]". */
  properties: string[];
  warnings: string[];
}

export type Loaded = LoadedShape | LoadedSet;

export function isSet(x: Loaded): x is LoadedSet {
  return 'count' in x && 'pointsPerCloud' in x;
}
