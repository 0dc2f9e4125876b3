// Global pooling over the last axis of x: [B, C, N] (one "row" = the N values of one (b, c)).
//   max:  out[b, maxOff + c] = max_n x[b, c, n], arg[b, c] = its n (first index wins exact ties)
//   mean: out[b, meanOff + c] = Σ_n x[b, c, n] / N
// out: [B, outStride]. DGCNN's 2048-d feature is maxOff = 0, meanOff = C, outStride = 2C;
// ResNet's global average pool is the mean alone (N = H·W).
// Forward: TPR threads per row, strided over n, then a fixed tree (deterministic).
// Backward, one thread per x element: dx[b, c, n] (+)= [n == arg] · dmax + dmean / N.
// NaN inputs are not propagated as PyTorch's max does.

struct Params {
  rows: u32, C: u32, N: u32, outStride: u32,
  maxOff: u32, meanOff: u32, accumulate: u32, total: u32,  // total = rows·N
}

@group(0) @binding(0) var<storage, read> x: array<f32>;             // [B, C, N]
@group(0) @binding(1) var<storage, read_write> out: array<f32>;     // [B, outStride]
@group(0) @binding(2) var<storage, read_write> arg: array<u32>;     // [B, C] (max only)
@group(0) @binding(3) var<storage, read> dout: array<f32>;          // [B, outStride]
@group(0) @binding(4) var<storage, read> argIn: array<u32>;         // [B, C]
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;      // [B, C, N]
@group(0) @binding(6) var<uniform> p: Params;

override HAS_MAX: bool = true;
override HAS_MEAN: bool = true;
override TPR: u32 = 64;  // threads per row: 1, 2, 4, … 64
const WG = 64u;
const NONE = 0xffffffffu;

var<workgroup> shMax: array<f32, WG>;
var<workgroup> shArg: array<u32, WG>;
var<workgroup> shSum: array<f32, WG>;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let row = foldedId(wid, nwg, WG / TPR, lid / TPR);
  let lane = lid % TPR;
  var best = 0.0;
  var bi = NONE;  // no element seen yet
  var s = 0.0;
  if (row < p.rows && lane < p.N) {
    let base = row * p.N;
    best = x[base + lane];
    bi = lane;
    s = best;
    for (var n = lane + TPR; n < p.N; n += TPR) {
      let v = x[base + n];
      if (v > best) { best = v; bi = n; }  // strict: the earlier index keeps a tie
      s += v;
    }
  }
  shMax[lid] = best;
  shArg[lid] = bi;
  shSum[lid] = s;
  for (var h = TPR / 2u; h > 0u; h >>= 1u) {
    workgroupBarrier();
    if (lane < h) {
      let o = lid + h;
      let ov = shMax[o];
      let oi = shArg[o];
      // The other side wins if it saw something and is larger, or equal with a lower index.
      if (oi != NONE && (shArg[lid] == NONE || ov > shMax[lid] || (ov == shMax[lid] && oi < shArg[lid]))) {
        shMax[lid] = ov;
        shArg[lid] = oi;
      }
      shSum[lid] += shSum[o];
    }
  }
  workgroupBarrier();
  if (lane == 0u && row < p.rows) {
    let b = row / p.C;
    let c = row - b * p.C;
    if (HAS_MAX) {
      out[b * p.outStride + p.maxOff + c] = shMax[lid];
      arg[row] = shArg[lid];
    }
    if (HAS_MEAN) { out[b * p.outStride + p.meanOff + c] = shSum[lid] / f32(p.N); }
  }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, 256u, lid);
  if (i >= p.total) { return; }
  let row = i / p.N;
  let n = i - row * p.N;
  let b = row / p.C;
  let o = b * p.outStride + (row - b * p.C);
  var g = 0.0;
  if (HAS_MAX) { if (argIn[row] == n) { g = dout[o + p.maxOff]; } }
  if (HAS_MEAN) { g += dout[o + p.meanOff] / f32(p.N); }
  if (p.accumulate != 0u) { g += dx[i]; }
  dx[i] = g;
}
