// CrossPoint's point prototype: z_p = (z_t1 + z_t2) / 2, where z [2B, D] holds the projections of
// the first augmented copies in rows 0..B−1 and of the second in rows B..2B−1 (one forward pass).
// Backward: dz[t1 row] += dzp / 2 and dz[t2 row] += dzp / 2.

struct Params { half: u32, _p0: u32, _p1: u32, _p2: u32 } // half = B·D

@group(0) @binding(0) var<storage, read> z: array<f32>;            // [2B, D]
@group(0) @binding(1) var<storage, read_write> zp: array<f32>;     // [B, D]
@group(0) @binding(2) var<storage, read> dzp: array<f32>;          // [B, D]
@group(0) @binding(3) var<storage, read_write> dz: array<f32>;     // [2B, D]
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(256)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.half) { return; }
  zp[i] = 0.5 * (z[i] + z[p.half + i]);
}

@compute @workgroup_size(256)
fn backward_accumulate(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.half) { return; }
  let g = 0.5 * dzp[i];
  dz[i] += g;
  dz[p.half + i] += g;
}
