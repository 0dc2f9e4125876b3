// EdgeConv without the edge tensor (DESIGN.md §3): conv 1×1 on [x_j − x_i ; x_i] → BatchNorm →
// LeakyReLU(0.2) → max over the k neighbours, forward and backward.
//
// With W = [Wa Wb] ([O, C] halves), W·[x_j − x_i ; x_i] = Wa·x_j + (Wb − Wa)·x_i. The launcher
// builds Wcat = [Wa ; Wb − Wa] ([2O, C], entry prep_w) and one matmul gives PQ = Wcat·X per cloud:
// rows 0..O−1 are P = Wa·X, rows O..2O−1 are Q = (Wb − Wa)·X. An edge (b, i, s) with j = idx[b,i,s]
// has the value e = P[b,o,j] + Q[b,o,i]; no kernel ever stores it.
//
// Buffers (elements, row-major):
//   W: [O, 2C]   Wcat: [2O, C]   PQ, dPQ: [B, 2O, N]   idx: [B, N, k] i32 (values in [0, N))
//   stats: [O, 8] per channel: mean, var (biased), invstd, gamma, beta, A, c1, c2
//     (gamma and beta are copied at forward time so the backward uses the values the forward saw;
//      A, c1, c2 are the backward coefficients: de = A·dz − c1 − c2·x̂ on every edge)
//   partial: [O, chunks, 2] per-workgroup sums of the two-pass reductions
//   y: channel slice, y[yOff + b·yBS + o·N + i]   arg, dz: [B, O, N]   dy: like y (dyOff, dyBS)
//   deg: [B, N] in-degree, then the fill cursor    adj: [B, N+1] row starts, then at listBase
//     [B, N·k] in-edge lists (edge id i·k + s, sorted ascending per target point)
//   G: [B, 2O, C] per-cloud dPQ·Xᵀ    dW: [O, 2C]

struct Params {
  B: u32, N: u32, k: u32, C: u32,
  O: u32, chunks: u32, yOff: u32, yBS: u32,
  dyOff: u32, dyBS: u32, listBase: u32, invCount: f32,
  unbias: f32, eps: f32, momentum: f32, _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
// W (1), Wcat (2), G (19), dW (20): parts/edgeconv_wcat.wgsl; partial, stats, gamma, beta, runMean,
// runVar (5 … 10), dGamma, dBeta (21, 22): parts/edgeconv_bn_bindings.wgsl.
// include: parts/edgeconv_wcat.wgsl
// include: parts/edgeconv_bn_bindings.wgsl
@group(0) @binding(3) var<storage, read> PQ: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<i32>;
@group(0) @binding(11) var<storage, read_write> y: array<f32>;
@group(0) @binding(12) var<storage, read_write> arg: array<i32>;
@group(0) @binding(13) var<storage, read> dy: array<f32>;
@group(0) @binding(14) var<storage, read_write> dz: array<f32>;
@group(0) @binding(15) var<storage, read_write> degAtomic: array<atomic<u32>>;
@group(0) @binding(16) var<storage, read_write> deg: array<u32>;
@group(0) @binding(17) var<storage, read_write> adj: array<u32>;
@group(0) @binding(18) var<storage, read_write> dPQ: array<f32>;

override WG: u32 = 256;
// Points per partial sum of the BN reductions (set by the launcher, src/kernels/edgeconv.ts).
override CH: u32;
// stats_partial: 0 sums edge values (mean pass), 1 sums centred squares (variance pass).
override MODE: u32 = 0u;
// bwd_final: training-mode BN backward (gradient through the batch statistics) or eval mode.
override TRAIN: bool = true;

// stats_mean, stats_var, stats_eval and bwd_final (with sumPartials) are shared with edgeconv_naive:
// include: parts/edgeconv_bn.wgsl

const SLOPE: f32 = 0.2;
const NONE: u32 = 0xffffffffu;

var<workgroup> shu: array<u32, WG>;

fn pAt(b: u32, o: u32, n: u32) -> u32 { return (b * 2u * p.O + o) * p.N + n; }
fn qAt(b: u32, o: u32, n: u32) -> u32 { return (b * 2u * p.O + p.O + o) * p.N + n; }
fn nbr(b: u32, i: u32, s: u32) -> u32 { return u32(idx[(b * p.N + i) * p.k + s]); }
// prep_w and dw_combine (parts/edgeconv_wcat.wgsl): Wcat and dW of the O-channel conv.
fn wcatRows() -> u32 { return p.O; }

// x̂ and the BN output, written once so the forward and the backward round identically.
fn normalised(e: f32, o: u32) -> f32 { return (e - stats[o * 8u]) * stats[o * 8u + 2u]; }
fn bnOut(xh: f32, o: u32) -> f32 { return stats[o * 8u + 3u] * xh + stats[o * 8u + 4u]; }

// Gradient of the loss with respect to one edge value: A·dz on the winning edge, plus the
// batch-statistics term −c1 − c2·x̂ that every edge of the channel receives.
fn edgeGrad(e: f32, winner: bool, dzv: f32, o: u32) -> f32 {
  let g = select(0.0, dzv, winner);
  return stats[o * 8u + 5u] * g - stats[o * 8u + 6u] - stats[o * 8u + 7u] * normalised(e, o);
}

// BN statistics, pass MODE: one thread per (channel o, chunk c) sums the edges of the CH points
// c·CH … in order (no workgroup barriers: they are costly on CPU adapters, and the sum order stays
// fixed). Partial sums land in partial[o, c, 0].
@compute @workgroup_size(WG)
fn stats_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                 @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.O * p.chunks) { return; }
  let o = t / p.chunks;
  let c = t % p.chunks;
  let mean = stats[o * 8u];
  let end = min((c + 1u) * CH, p.B * p.N);
  var acc = 0.0;
  for (var pt = c * CH; pt < end; pt++) {
    let b = pt / p.N;
    let i = pt % p.N;
    let q = PQ[qAt(b, o, i)];
    for (var s = 0u; s < p.k; s++) {
      let e = PQ[pAt(b, o, nbr(b, i, s))] + q;
      if (MODE == 0u) {
        acc += e;
      } else {
        let d = e - mean;
        acc += d * d;
      }
    }
  }
  partial[t * 2u] = acc;
}

// One thread per output (b, o, i): BN is affine with scale γ/σ and LeakyReLU increasing, so the
// winner is the largest edge when γ > 0, the smallest when γ < 0, and slot 0 when γ = 0 (all
// activated values tie). The first slot wins exact ties, as PyTorch's CPU max.
@compute @workgroup_size(WG)
fn fwd_max(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.B * p.O * p.N) { return; }
  let i = t % p.N;
  let o = (t / p.N) % p.O;
  let b = t / (p.N * p.O);
  let g = stats[o * 8u + 3u];
  let q = PQ[qAt(b, o, i)];
  var best = PQ[pAt(b, o, nbr(b, i, 0u))] + q;
  var bs = 0u;
  if (g != 0.0) {
    for (var s = 1u; s < p.k; s++) {
      let e = PQ[pAt(b, o, nbr(b, i, s))] + q;
      if ((g > 0.0 && e > best) || (g < 0.0 && e < best)) {
        best = e;
        bs = s;
      }
    }
  }
  let z = bnOut(normalised(best, o), o);
  y[p.yOff + b * p.yBS + o * p.N + i] = select(SLOPE * z, z, z > 0.0);
  arg[t] = i32(bs);
}

// Backward, step 1: dz = dy·LeakyReLU'(z) on each winning edge (stored per output), and the
// per-chunk sums of dz and dz·x̂ that give dβ and dγ. One thread per (o, chunk) as stats_partial.
@compute @workgroup_size(WG)
fn bwd_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let t0 = foldedId(wid, nwg, WG, lid);
  if (t0 >= p.O * p.chunks) { return; }
  let o = t0 / p.chunks;
  let c = t0 % p.chunks;
  let end = min((c + 1u) * CH, p.B * p.N);
  var a0 = 0.0;
  var a1 = 0.0;
  for (var pt = c * CH; pt < end; pt++) {
    let b = pt / p.N;
    let i = pt % p.N;
    let t = (b * p.O + o) * p.N + i;
    let s = u32(arg[t]);
    let e = PQ[pAt(b, o, nbr(b, i, s))] + PQ[qAt(b, o, i)];
    let xh = normalised(e, o);
    let z = bnOut(xh, o);
    // PyTorch's LeakyReLU derivative at exactly 0 is the slope.
    let d = dy[p.dyOff + b * p.dyBS + o * p.N + i] * select(SLOPE, 1.0, z > 0.0);
    dz[t] = d;
    a0 += d;
    a1 += d * xh;
  }
  partial[t0 * 2u] = a0;
  partial[t0 * 2u + 1u] = a1;
}

// Backward, step 3: one thread per (b, o, n). dQ[n] sums the gradients of n's k out-edges,
// dP[n] those of its in-edges, read from the reverse adjacency in ascending edge order.
@compute @workgroup_size(WG)
fn bwd_dpq(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.B * p.O * p.N) { return; }
  let n = t % p.N;
  let o = (t / p.N) % p.O;
  let b = t / (p.N * p.O);
  let q = PQ[qAt(b, o, n)];
  let win = u32(arg[t]);
  let dzn = dz[t];
  var accQ = 0.0;
  for (var s = 0u; s < p.k; s++) {
    let e = PQ[pAt(b, o, nbr(b, n, s))] + q;
    accQ += edgeGrad(e, s == win, dzn, o);
  }
  dPQ[qAt(b, o, n)] = accQ;

  let pn = PQ[pAt(b, o, n)];
  let r0 = adj[b * (p.N + 1u) + n];
  let r1 = adj[b * (p.N + 1u) + n + 1u];
  let list = p.listBase + b * p.N * p.k;
  var accP = 0.0;
  for (var r = r0; r < r1; r++) {
    let m = adj[list + r];
    let i = m / p.k;
    let ti = (b * p.O + o) * p.N + i;
    let e = pn + PQ[qAt(b, o, i)];
    accP += edgeGrad(e, u32(arg[ti]) == m % p.k, dz[ti], o);
  }
  dPQ[pAt(b, o, n)] = accP;
}

// Reverse adjacency, step 1: in-degree of every point (u32 atomics: the counts do not depend on
// the order). deg must be zero before.
@compute @workgroup_size(WG)
fn adj_count(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.B * p.N * p.k) { return; }
  let b = t / (p.N * p.k);
  let j = u32(idx[t]);
  if (j < p.N) { atomicAdd(&degAtomic[b * p.N + j], 1u); }
}

// Step 2, one workgroup per cloud: exclusive scan of the degrees into row starts; deg is reset to
// zero on the way, to serve as the fill cursor.
@compute @workgroup_size(WG)
fn adj_scan(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let per = (p.N + WG - 1u) / WG;
  let lo = min(lid * per, p.N);
  let hi = min(lo + per, p.N);
  var mine = 0u;
  for (var n = lo; n < hi; n++) { mine += deg[b * p.N + n]; }
  shu[lid] = mine;
  // Inclusive Hillis-Steele scan of the per-thread totals.
  for (var off = 1u; off < WG; off <<= 1u) {
    workgroupBarrier();
    var v = 0u;
    if (lid >= off) { v = shu[lid - off]; }
    workgroupBarrier();
    shu[lid] += v;
  }
  workgroupBarrier();
  var run = shu[lid] - mine;
  let row = b * (p.N + 1u);
  for (var n = lo; n < hi; n++) {
    adj[row + n] = run;
    run += deg[b * p.N + n];
    deg[b * p.N + n] = 0u;
  }
  if (lid == WG - 1u) { adj[row + p.N] = shu[WG - 1u]; }
}

// Step 3, one workgroup per cloud: a stable counting-sort fill. Edges are taken WG at a time in
// ascending id; an edge's slot is its target's row start + the cursor + the number of earlier
// edges of the same chunk with the same target, so every list ends up in ascending edge order
// whatever the thread scheduling.
@compute @workgroup_size(WG)
fn adj_fill(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  let nk = p.N * p.k;
  let row = b * (p.N + 1u);
  let list = p.listBase + b * nk;
  let chunks = (nk + WG - 1u) / WG;
  for (var c = 0u; c < chunks; c++) {
    let m = c * WG + lid;
    var key = NONE;
    if (m < nk) {
      let j = u32(idx[b * nk + m]);
      if (j < p.N) { key = j; }
    }
    shu[lid] = key;
    workgroupBarrier();
    var rank = 0u;
    var last = true;
    for (var t = 0u; t < WG; t++) {
      if (shu[t] == key) {
        if (t < lid) { rank++; }
        if (t > lid) { last = false; }
      }
    }
    if (key != NONE) { adj[list + adj[row + key] + deg[b * p.N + key] + rank] = m; }
    // Every thread has read its cursor before the last of each target advances it.
    storageBarrier();
    if (key != NONE && last) { deg[b * p.N + key] += rank + 1u; }
    storageBarrier();
    workgroupBarrier();
  }
}
