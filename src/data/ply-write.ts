// Writes point clouds as binary little-endian PLY (x y z nx ny nz as float32), the layout of the
// per-object .ply files of CrossPoint's ShapeNet data.

/** points, normals: [N * 3] → PLY file bytes. */
export function encodePly(points: Float32Array, normals?: Float32Array): Uint8Array {
  const n = points.length / 3;
  if (normals && normals.length !== points.length)
    throw new Error('encodePly: normals and points differ in length');
  const props = normals ? ['x', 'y', 'z', 'nx', 'ny', 'nz'] : ['x', 'y', 'z'];
  const header =
    `ply\nformat binary_little_endian 1.0\nelement vertex ${n}\n` +
    props.map((p) => `property float ${p}\n`).join('') +
    'end_header\n';
  const head = new TextEncoder().encode(header);
  const stride = props.length;
  const body = new Float32Array(n * stride);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      body[i * stride + k] = points[i * 3 + k]!;
      if (normals) body[i * stride + 3 + k] = normals[i * 3 + k]!;
    }
  }
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head, 0);
  // Float32Array is little-endian on every platform WebGPU runs on; write explicitly anyway.
  const dv = new DataView(out.buffer, head.length);
  for (let i = 0; i < body.length; i++) dv.setFloat32(i * 4, body[i]!, true);
  return out;
}
