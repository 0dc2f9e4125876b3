// out[i] = alpha * x[i] + y[i]   (the "axpy" of BLAS; the first kernel, used to check the harness)
// x, y, out: [n] f32

struct Params {
  n: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  // The grid may be folded into y when n needs more than maxComputeWorkgroupsPerDimension groups.
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= params.n) { return; }
  out[i] = params.alpha * x[i] + y[i];
}
