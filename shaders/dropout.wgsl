// Dropout with a mask that is a pure function of (seed, stream, element) (src/kernels/dropout-hash.ts):
//   forward:  y[i] = x[i]·scale when kept, else 0      (scale = 1/(1 − p))
//   backward: dx[i] = dy[i]·scale when kept, else 0    (the same mask, recomputed)
// x, y, dy, dx: [n] f32, y distinct from x and dx from dy. With threshold 0 and scale 1 it copies
// (dropout off: evaluation, or a training forward without dropout).

struct Params {
  n: u32, seed: u32, stream: u32, threshold: u32,
  scale: f32, _a: u32, _b: u32, _c: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

override WG: u32 = 256u;

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.n) { return; }
  let key = pcg(p.seed ^ pcg(p.stream));
  let keep = (pcg(i ^ key) >> 8u) >= p.threshold;
  dst[i] = select(0.0, src[i] * p.scale, keep);
}
