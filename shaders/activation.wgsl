// LeakyReLU (slope > 0) and ReLU (slope = 0), elementwise over n floats.
//   forward:  y = x       if x > 0, else slope·x
//   backward: dx = dy     if t > 0, else slope·dy   (dx += ... when accumulate)
// t is the forward input or the forward output: for slope ≥ 0, y > 0 exactly when x > 0, so
// either gives the same gradient, and in-place activations (y overwrote x) still have a backward.
// The derivative at exactly 0 is the slope (PyTorch: 0.2 for LeakyReLU(0.2), 0 for ReLU).

struct Params {
  n: u32, slope: f32, accumulate: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;        // x (forward) or dy (backward): [n]
@group(0) @binding(1) var<storage, read> gate: array<f32>;       // t (backward): [n]
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;  // y or dx; in place: x or dy
@group(0) @binding(3) var<uniform> p: Params;

override WG: u32 = 256;

fn act(v: f32) -> f32 { return select(p.slope * v, v, v > 0.0); }
fn slope_at(t: f32) -> f32 { return select(p.slope, 1.0, t > 0.0); }

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.n) { return; }
  dst[i] = act(src[i]);
}

@compute @workgroup_size(WG)
fn forward_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.n) { return; }
  dst[i] = act(dst[i]);
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.n) { return; }
  var g = src[i] * slope_at(gate[i]);
  if (p.accumulate != 0u) { g += dst[i]; }
  dst[i] = g;
}

@compute @workgroup_size(WG)
fn backward_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                    @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.n) { return; }
  dst[i] = dst[i] * slope_at(gate[i]);
}
