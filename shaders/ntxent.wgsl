// NT-Xent (SimCLR's normalised temperature-scaled cross entropy), forward and backward fused.
// Inputs a [B, D] and b [B, D] (two views; row i of a and row i of b are a positive pair).
// The 2B rows u = normalize([a; b]) are anchors; anchor r's positive is r ± B; the other 2B − 2
// rows are its negatives. S = u·uᵀ / τ [2B, 2B]; loss_r = logsumexp_{j≠r} S[r, j] − S[r, pos(r)];
// loss = mean_r loss_r. Backward: dS[r, j] = (softmax_{j≠r}(S[r, ·])_j − [j = pos(r)]) / 2B,
// dU = (dS + dSᵀ)·U / τ, dz = (dU − u (u·dU)) / max(‖z‖, 1e-12).

struct Params {
  B: u32, D: u32, invTau: f32, scale: f32,
  offsetA: u32, offsetB: u32, offsetDA: u32, offsetDB: u32,
  accumulate: u32, lossIndex: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;            // [B, D] at offsetA
@group(0) @binding(1) var<storage, read> b: array<f32>;            // [B, D] at offsetB
@group(0) @binding(2) var<storage, read_write> u: array<f32>;      // [2B, D] normalised rows
@group(0) @binding(3) var<storage, read_write> norms: array<f32>;  // [2B] ‖z‖
@group(0) @binding(4) var<storage, read_write> S: array<f32>;      // [2B, 2B] logits, then dS
@group(0) @binding(5) var<storage, read_write> rowLoss: array<f32>; // [2B]
@group(0) @binding(6) var<storage, read_write> dU: array<f32>;     // [2B, D]
@group(0) @binding(7) var<storage, read_write> loss: array<f32>;   // loss[lossIndex] = mean
// Gradient destination of one half (rows 0..B−1 → da, rows B..2B−1 → db): two pipelines with
// different HALF and bind groups, so da and db may be slices of the same buffer.
@group(0) @binding(8) var<storage, read_write> gradOut: array<f32>;
@group(0) @binding(9) var<uniform> p: Params;

override HALF: u32 = 0u;

const NORM_EPS = 1e-12; // torch.nn.functional.normalize's default eps

fn zAt(r: u32, d: u32) -> f32 {
  if (r < p.B) { return a[p.offsetA + r * p.D + d]; }
  return b[p.offsetB + (r - p.B) * p.D + d];
}

fn positive(r: u32) -> u32 {
  if (r < p.B) { return r + p.B; }
  return r - p.B;
}

// One thread per row r < 2B.
@compute @workgroup_size(64)
fn normalize_rows(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= 2u * p.B) { return; }
  var ss = 0.0;
  for (var d = 0u; d < p.D; d++) { let z = zAt(r, d); ss += z * z; }
  let n = sqrt(ss);
  norms[r] = n;
  let inv = 1.0 / max(n, NORM_EPS);
  for (var d = 0u; d < p.D; d++) { u[r * p.D + d] = zAt(r, d) * inv; }
}

// One thread per (r, j).
@compute @workgroup_size(16, 16)
fn similarity(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let r = gid.y;
  let R = 2u * p.B;
  if (r >= R || j >= R) { return; }
  var acc = 0.0;
  for (var d = 0u; d < p.D; d++) { acc += u[r * p.D + d] * u[j * p.D + d]; }
  S[r * R + j] = acc * p.invTau;
}

// One thread per row: the row's loss, and the row of dS written over S.
@compute @workgroup_size(64)
fn row_softmax(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  let R = 2u * p.B;
  if (r >= R) { return; }
  var mx = -3.4e38;
  for (var j = 0u; j < R; j++) { if (j != r) { mx = max(mx, S[r * R + j]); } }
  var sum = 0.0;
  for (var j = 0u; j < R; j++) { if (j != r) { sum += exp(S[r * R + j] - mx); } }
  let lse = mx + log(sum);
  let pos = positive(r);
  rowLoss[r] = lse - S[r * R + pos];
  let g = p.scale / f32(R);
  for (var j = 0u; j < R; j++) {
    var v = 0.0;
    if (j != r) {
      v = exp(S[r * R + j] - lse);
      if (j == pos) { v -= 1.0; }
    }
    S[r * R + j] = v * g;
  }
}

// A single thread sums the row losses in order (2B is small), so the mean is deterministic.
@compute @workgroup_size(1)
fn mean_loss() {
  let R = 2u * p.B;
  var acc = 0.0;
  for (var r = 0u; r < R; r++) { acc += rowLoss[r]; }
  loss[p.lossIndex] = acc / f32(R);
}

// One thread per (r, d): dU[r, d] = Σ_j (dS[r, j] + dS[j, r]) u[j, d] / τ.
@compute @workgroup_size(64)
fn grad_u(@builtin(global_invocation_id) gid: vec3u) {
  let R = 2u * p.B;
  let t = gid.x;
  if (t >= R * p.D) { return; }
  let r = t / p.D;
  let d = t % p.D;
  var acc = 0.0;
  for (var j = 0u; j < R; j++) { acc += (S[r * R + j] + S[j * R + r]) * u[j * p.D + d]; }
  dU[t] = acc * p.invTau;
}

// One thread per row: project out the radial part and divide by the norm, in place in dU.
@compute @workgroup_size(64)
fn grad_z(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= 2u * p.B) { return; }
  let n = norms[r];
  var dot = 0.0;
  if (n > NORM_EPS) { for (var d = 0u; d < p.D; d++) { dot += u[r * p.D + d] * dU[r * p.D + d]; } }
  let inv = 1.0 / max(n, NORM_EPS);
  for (var d = 0u; d < p.D; d++) { dU[r * p.D + d] = (dU[r * p.D + d] - u[r * p.D + d] * dot) * inv; }
}

// One thread per (row of the half, d): write (or add) the half's gradient to its destination.
@compute @workgroup_size(64)
fn emit_grad(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  if (t >= p.B * p.D) { return; }
  var off = p.offsetDA;
  if (HALF == 1u) { off = p.offsetDB; }
  var g = dU[HALF * p.B * p.D + t];
  if (p.accumulate != 0u) { g += gradOut[off + t]; }
  gradOut[off + t] = g;
}
