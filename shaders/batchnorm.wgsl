// BatchNorm over x: [B, C, L], statistics per channel c over the n = B·L values x[b, c, l].
// (BatchNorm1d on [B, C, N] is L = N, on [B, C] is L = 1; BatchNorm2d on [B, C, H, W] is L = H·W.)
//
// Training forward:  stats_* → finalize_stats → apply
// Eval forward:      eval_stats → apply
// Backward:          grad_* → finalize_grad → dx
//
// The per-channel reductions are deterministic two-pass ones. Pass 1 writes one partial per
// (row chunk g, channel c, slot l) into part [G, C, Lp]; pass 2 (finalize_*) folds a channel's
// partials in index order. Two pass-1 layouts:
//   *_rows (L ≥ 32):  a workgroup per (c, g) walks a chunk of the channel's B·L values, Lp = 1;
//   *_cols (L < 32):  x is read as [B, C·L]; a workgroup covers 64 columns j = c·L + l and a chunk
//                     of rows b with 4 lanes, so L = 1 with large C reads coalesced; Lp = L.
// Statistics keep (count, mean, M2): each thread sums v − k and (v − k)² with k its first value
// (shifted sums: no cancellation when |mean| ≫ std), then partials merge with Chan's formula.

struct Params {
  B: u32, C: u32, L: u32, n: u32,           // n = B·L values per channel
  G: u32, chunk: u32, Lp: u32, total: u32,  // row chunks, chunk length, slots per (g, c), B·C·L
  eps: f32, momentum: f32, accumulate: u32, accumulateParams: u32,
}

// Statistics: (count, mean, M2). Gradients: (unused, Σ dy, Σ dy·x̂).
struct Acc { n: f32, a: f32, b: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;             // [B, C, L]
@group(0) @binding(1) var<storage, read> dy: array<f32>;            // [B, C, L]
@group(0) @binding(2) var<storage, read> gamma: array<f32>;         // [C]
@group(0) @binding(3) var<storage, read> beta: array<f32>;          // [C]
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;    // [C] mean used for x̂
@group(0) @binding(5) var<storage, read_write> invstd: array<f32>;  // [C] 1/sqrt(var + eps)
@group(0) @binding(6) var<storage, read_write> runMean: array<f32>; // [C]
@group(0) @binding(7) var<storage, read_write> runVar: array<f32>;  // [C]
@group(0) @binding(8) var<storage, read_write> part: array<Acc>;    // [G, C, Lp]
@group(0) @binding(9) var<storage, read_write> out: array<f32>;     // y or dx: [B, C, L]
@group(0) @binding(10) var<storage, read_write> dgamma: array<f32>; // [C]
@group(0) @binding(11) var<storage, read_write> dbeta: array<f32>;  // [C]
@group(0) @binding(12) var<storage, read_write> sums: array<f32>;   // [2, C]: Σ dy, Σ dy·x̂
@group(0) @binding(13) var<storage, read> meanR: array<f32>;        // the same buffers, read-only
@group(0) @binding(14) var<storage, read> invstdR: array<f32>;
@group(0) @binding(15) var<storage, read> sumsR: array<f32>;
@group(0) @binding(16) var<uniform> p: Params;

override TRAIN: bool = true;  // dx: full batch-statistics backward, or the eval-mode affine one
// 1/σ and the running update, shared with the EdgeConv shaders:
// include: parts/bn_finalize.wgsl

const WG = 256u;
const COLS = 64u;  // columns per workgroup in the *_cols layout (4 lanes of rows)

var<workgroup> wacc: array<Acc, WG>;

fn merge(u: Acc, v: Acc, stats: bool) -> Acc {
  if (!stats) { return Acc(0.0, u.a + v.a, u.b + v.b); }
  if (v.n == 0.0) { return u; }
  if (u.n == 0.0) { return v; }
  let n = u.n + v.n;
  let d = v.a - u.a;
  let f = v.n / n;
  return Acc(n, u.a + d * f, u.b + v.b + d * d * u.n * f);
}

// Folds wacc[lid] with wacc[lid + h] for h = 128, 64, … down to `stop` (1: all 256 threads;
// 64: the 4 row lanes of each column in the *_cols layout). Result in wacc[0 … stop−1].
fn tree(lid: u32, stop: u32, stats: bool) {
  for (var h = WG / 2u; h >= stop; h >>= 1u) {
    workgroupBarrier();
    if (lid < h) { wacc[lid] = merge(wacc[lid], wacc[lid + h], stats); }
  }
  workgroupBarrier();
}

// One thread's shifted sums: k its first value, s1 = Σ (v − k), s2 = Σ (v − k)² over cnt values.
struct Shifted { k: f32, cnt: f32, s1: f32, s2: f32 }

fn addShifted(sh: ptr<function, Shifted>, v: f32) {
  if ((*sh).cnt == 0.0) { (*sh).k = v; }
  let d = v - (*sh).k;
  (*sh).s1 += d;
  (*sh).s2 += d * d;
  (*sh).cnt += 1.0;
}

// Shifted sums of one thread → (count, mean, M2).
fn shifted(sh: Shifted) -> Acc {
  if (sh.cnt == 0.0) { return Acc(0.0, 0.0, 0.0); }
  return Acc(sh.cnt, sh.k + sh.s1 / sh.cnt, max(0.0, sh.s2 - sh.s1 * sh.s1 / sh.cnt));
}

// Channel c's partials of pass 1 folded in index order (finalize_*).
fn foldPartials(c: u32, stats: bool) -> Acc {
  var a = Acc(0.0, 0.0, 0.0);
  for (var g = 0u; g < p.G; g++) {
    let base = (g * p.C + c) * p.Lp;
    for (var l = 0u; l < p.Lp; l++) { a = merge(a, part[base + l], stats); }
  }
  return a;
}

@compute @workgroup_size(WG)
fn stats_rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let gi = foldedGroup(wid, nwg);
  if (gi >= p.C * p.G) { return; }
  let c = gi % p.C;
  let g = gi / p.C;
  let t1 = min(p.n, (g + 1u) * p.chunk);
  var sh = Shifted(0.0, 0.0, 0.0, 0.0);
  for (var t = g * p.chunk + lid; t < t1; t += WG) {
    let b = t / p.L;
    addShifted(&sh, x[(b * p.C + c) * p.L + (t - b * p.L)]);
  }
  wacc[lid] = shifted(sh);
  tree(lid, 1u, true);
  if (lid == 0u) { part[g * p.C + c] = wacc[0]; }
}

@compute @workgroup_size(WG)
fn stats_cols(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let J = p.C * p.L;
  let blocks = (J + COLS - 1u) / COLS;
  let gi = foldedGroup(wid, nwg);
  if (gi >= blocks * p.G) { return; }
  let g = gi / blocks;
  let j = (gi % blocks) * COLS + lid % COLS;
  let r1 = min(p.B, (g + 1u) * p.chunk);
  var sh = Shifted(0.0, 0.0, 0.0, 0.0);
  if (j < J) {
    for (var b = g * p.chunk + lid / COLS; b < r1; b += WG / COLS) { addShifted(&sh, x[b * J + j]); }
  }
  wacc[lid] = shifted(sh);
  tree(lid, COLS, true);
  if (lid < COLS && j < J) { part[g * J + j] = wacc[lid]; }
}

@compute @workgroup_size(WG)
fn grad_rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let gi = foldedGroup(wid, nwg);
  if (gi >= p.C * p.G) { return; }
  let c = gi % p.C;
  let g = gi / p.C;
  let t1 = min(p.n, (g + 1u) * p.chunk);
  let m = meanR[c];
  let r = invstdR[c];
  var sd = 0.0;
  var sdx = 0.0;
  for (var t = g * p.chunk + lid; t < t1; t += WG) {
    let b = t / p.L;
    let i = (b * p.C + c) * p.L + (t - b * p.L);
    let d = dy[i];
    sd += d;
    sdx += d * ((x[i] - m) * r);
  }
  wacc[lid] = Acc(0.0, sd, sdx);
  tree(lid, 1u, false);
  if (lid == 0u) { part[g * p.C + c] = wacc[0]; }
}

@compute @workgroup_size(WG)
fn grad_cols(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let J = p.C * p.L;
  let blocks = (J + COLS - 1u) / COLS;
  let gi = foldedGroup(wid, nwg);
  if (gi >= blocks * p.G) { return; }
  let g = gi / blocks;
  let j = (gi % blocks) * COLS + lid % COLS;
  let r1 = min(p.B, (g + 1u) * p.chunk);
  var sd = 0.0;
  var sdx = 0.0;
  if (j < J) {
    let c = j / p.L;
    let m = meanR[c];
    let r = invstdR[c];
    for (var b = g * p.chunk + lid / COLS; b < r1; b += WG / COLS) {
      let i = b * J + j;
      let d = dy[i];
      sd += d;
      sdx += d * ((x[i] - m) * r);
    }
  }
  wacc[lid] = Acc(0.0, sd, sdx);
  tree(lid, COLS, false);
  if (lid < COLS && j < J) { part[g * J + j] = wacc[lid]; }
}

// Training statistics: batch mean and biased variance for x̂; running stats get the unbiased one.
@compute @workgroup_size(64)
fn finalize_stats(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) lid: u32) {
  let c = foldedId(wid, nwg, 64u, lid);
  if (c >= p.C) { return; }
  let a = foldPartials(c, true);
  mean[c] = a.a;
  invstd[c] = bnInvStd(a.b / a.n, p.eps);
  runMean[c] = bnRunning(runMean[c], a.a, p.momentum);
  runVar[c] = bnRunning(runVar[c], a.b / (a.n - 1.0), p.momentum);
}

@compute @workgroup_size(64)
fn eval_stats(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let c = foldedId(wid, nwg, 64u, lid);
  if (c >= p.C) { return; }
  mean[c] = runMean[c];
  invstd[c] = bnInvStd(runVar[c], p.eps);
}

@compute @workgroup_size(64)
fn finalize_grad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                 @builtin(local_invocation_index) lid: u32) {
  let c = foldedId(wid, nwg, 64u, lid);
  if (c >= p.C) { return; }
  let a = foldPartials(c, false);
  sums[c] = a.a;
  sums[p.C + c] = a.b;
  if (p.accumulateParams != 0u) {
    dbeta[c] += a.a;
    dgamma[c] += a.b;
  } else {
    dbeta[c] = a.a;
    dgamma[c] = a.b;
  }
}

@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.total) { return; }
  let c = (i / p.L) % p.C;
  out[i] = (x[i] - meanR[c]) * (invstdR[c] * gamma[c]) + beta[c];
}

// Training: dx = γ·invstd·(dy − Σdy/n − x̂·Σ(dy·x̂)/n). Eval: dx = γ·invstd·dy.
@compute @workgroup_size(WG)
fn dx(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
      @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.total) { return; }
  let c = (i / p.L) % p.C;
  let r = invstdR[c];
  var g: f32;
  if (TRAIN) {
    let invn = 1.0 / f32(p.n);
    let xh = (x[i] - meanR[c]) * r;
    g = gamma[c] * r * (dy[i] - sumsR[c] * invn - xh * (sumsR[p.C + c] * invn));
  } else {
    g = gamma[c] * r * dy[i];
  }
  if (p.accumulate != 0u) { g += out[i]; }
  out[i] = g;
}
