// Strided block copy: dst[dstOffset + r·dstStride + i] (+)= src[srcOffset + r·srcStride + i]
// for r < rows, i < len. Channel concatenation of [B, C1, N] into channels c0… of [B, Ctot, N]
// is rows = B, len = C1·N, strides C1·N and Ctot·N, dstOffset = c0·N; its backward (extracting
// the slice of the gradient) swaps the two sides.

struct Params {
  rows: u32, len: u32, total: u32,  // total = rows·len
  srcStride: u32, srcOffset: u32,
  dstStride: u32, dstOffset: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn copy(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.total) { return; }
  let r = t / p.len;
  let i = t - r * p.len;
  let di = p.dstOffset + r * p.dstStride + i;
  var v = src[p.srcOffset + r * p.srcStride + i];
  if (p.accumulate != 0u) { v += dst[di]; }
  dst[di] = v;
}
