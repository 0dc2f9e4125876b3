// CrossPoint point-cloud augmentations for a batch, in the paper's order:
//   normalise to the unit sphere -> scale -> rotate about y -> translate by a fraction of the
//   bbox extent -> jitter N(0, std) clipped -> dropout (dropped points take point 0's value).
// pts: [B, N, 3] in; out: [B, 3, N] (PyTorch layout for the encoder).
// Per-cloud parameters come from the CPU (src/kernels/point_augment-params.ts); per-point randomness
// is a counter-based hash of (seed, cloud, point, stream), mirrored bit for bit in TypeScript.
//
// Two entry points: `stats` (one workgroup per cloud: centroid, then largest distance from it and
// the bbox of the rotated cloud; per-thread partials combined in index order) and `apply` (one
// thread per point).

struct Params {
  B: u32,
  N: u32,
  seed: u32,
  flags: u32,        // bit 0: normalise, bit 1: jitter, bit 2: dropout
  jitterStd: f32,
  jitterClip: f32,
  pad0: u32,
  pad1: u32,
}

const WG: u32 = 256u;      // apply: threads per workgroup
// stats: threads per cloud. Small on purpose: SwiftShader's compile time grows with the workgroup
// size of a kernel with barriers (256 took ~9 s, 64 ~3 s), and one cloud is only a few thousand points.
const SWG: u32 = 64u;
const CP: u32 = 8u;          // words per cloud in cloudParams and stats
const BIG: f32 = 3.0e38;

@group(0) @binding(0) var<storage, read> pts: array<f32>;            // [B, N, 3]
@group(0) @binding(1) var<storage, read> cloudParams: array<f32>;    // [B, 8]: cos, sin, scale, tx, ty, tz, ratio, 0
@group(0) @binding(2) var<storage, read_write> cloudStats: array<f32>;    // [B, 8]: cx, cy, cz, k, ex, ey, ez, 0
@group(0) @binding(3) var<storage, read_write> out: array<f32>;      // [B, 3, N]
@group(0) @binding(4) var<uniform> p: Params;

var<workgroup> wsum: array<vec3<f32>, SWG>;
var<workgroup> wmax: array<vec4<f32>, SWG>;
var<workgroup> wmin: array<vec3<f32>, SWG>;
var<workgroup> centroid: vec3<f32>;

fn load(b: u32, i: u32) -> vec3<f32> {
  let o = (b * p.N + i) * 3u;
  return vec3<f32>(pts[o], pts[o + 1u], pts[o + 2u]);
}

// Rotation about y by the cloud's angle: x' = c x + s z, z' = -s x + c z.
fn rotY(b: u32, q: vec3<f32>) -> vec3<f32> {
  let c = cloudParams[b * CP];
  let s = cloudParams[b * CP + 1u];
  return vec3<f32>(c * q.x + s * q.z, q.y, -s * q.x + c * q.z);
}

@compute @workgroup_size(SWG)
fn stats(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let b = foldedGroup(wid, nwg);
  // Uniform control flow: every invocation of a group takes the same branch.
  if (b >= p.B) { return; }
  let normalise = (p.flags & 1u) != 0u;

  var s = vec3<f32>(0.0);
  for (var i = lid; i < p.N; i += SWG) { s += load(b, i); }
  wsum[lid] = s;
  workgroupBarrier();
  // One thread combines the partials in index order (deterministic; cheap next to the N-point pass).
  if (lid == 0u) {
    var t = vec3<f32>(0.0);
    for (var j = 0u; j < SWG; j++) { t += wsum[j]; }
    centroid = select(vec3<f32>(0.0), t / f32(p.N), normalise);
  }
  workgroupBarrier();
  let c = centroid;

  var mx = vec4<f32>(-BIG);
  var mn = vec3<f32>(BIG);
  for (var i = lid; i < p.N; i += SWG) {
    let q = load(b, i) - c;
    let r = rotY(b, q);
    mx = max(mx, vec4<f32>(dot(q, q), r));
    mn = min(mn, r);
  }
  wmax[lid] = mx;
  wmin[lid] = mn;
  workgroupBarrier();
  if (lid == 0u) {
    for (var j = 1u; j < SWG; j++) {
      mx = max(mx, wmax[j]);
      mn = min(mn, wmin[j]);
    }
    let m = sqrt(mx.x);
    var k = cloudParams[b * CP + 2u];
    if (normalise && m > 0.0) { k = k / m; }
    let ext = (mx.yzw - mn) * k;
    cloudStats[b * CP] = c.x;
    cloudStats[b * CP + 1u] = c.y;
    cloudStats[b * CP + 2u] = c.z;
    cloudStats[b * CP + 3u] = k;
    cloudStats[b * CP + 4u] = ext.x;
    cloudStats[b * CP + 5u] = ext.y;
    cloudStats[b * CP + 6u] = ext.z;
    cloudStats[b * CP + 7u] = 0.0;
  }
}

// ---- counter-based random numbers (same as point_augment-params.ts) ----

fn hash32(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

fn pointKey(cloud: u32, point: u32) -> u32 {
  return hash32(p.seed ^ hash32((cloud * 0x9e3779b9u) ^ hash32(point)));
}

fn pointRand(key: u32, stream: u32) -> u32 {
  return hash32(key ^ hash32(stream + 0x632be5abu));
}

// Uniform in (0, 1) from 23 bits: exact in f32.
fn unitFloat(r: u32) -> f32 {
  return (f32(r >> 9u) + 0.5) / 8388608.0;
}

const TAU: f32 = 6.283185307179586;

// Augmented position of point i of cloud b, before dropout.
fn augmented(b: u32, i: u32) -> vec3<f32> {
  let c = vec3<f32>(cloudStats[b * CP], cloudStats[b * CP + 1u], cloudStats[b * CP + 2u]);
  let k = cloudStats[b * CP + 3u];
  let ext = vec3<f32>(cloudStats[b * CP + 4u], cloudStats[b * CP + 5u], cloudStats[b * CP + 6u]);
  let t = vec3<f32>(cloudParams[b * CP + 3u], cloudParams[b * CP + 4u], cloudParams[b * CP + 5u]);
  var v = rotY(b, load(b, i) - c) * k + t * ext;
  if ((p.flags & 2u) != 0u) {
    let key = pointKey(b, i);
    // Box–Muller: two pairs of uniforms give three normals (the fourth is not used).
    let r0 = sqrt(-2.0 * log(unitFloat(pointRand(key, 0u))));
    let a0 = TAU * unitFloat(pointRand(key, 1u));
    let r1 = sqrt(-2.0 * log(unitFloat(pointRand(key, 2u))));
    let a1 = TAU * unitFloat(pointRand(key, 3u));
    let z = vec3<f32>(r0 * cos(a0), r0 * sin(a0), r1 * cos(a1));
    v += clamp(p.jitterStd * z, vec3<f32>(-p.jitterClip), vec3<f32>(p.jitterClip));
  }
  return v;
}

@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let g = foldedId(wid, nwg, WG, lid);
  if (g >= p.B * p.N) { return; }
  let b = g / p.N;
  let i = g % p.N;
  var j = i;
  if ((p.flags & 4u) != 0u) {
    let u = unitFloat(pointRand(pointKey(b, i), 4u));
    if (u <= cloudParams[b * CP + 6u]) { j = 0u; }
  }
  let v = augmented(b, j);
  let o = b * 3u * p.N + i;
  out[o] = v.x;
  out[o + p.N] = v.y;
  out[o + 2u * p.N] = v.z;
}
