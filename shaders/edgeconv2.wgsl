// EdgeConv with two per-edge convs, without any per-edge tensor (DGCNN_partseg's conv1+conv2,
// conv3+conv4 and the transform net's first two convs):
//   e_ij = [x_j − x_i ; x_i] → h1 = W1·e → BN1 → LReLU(0.2) = a1 → h2 = W2·a1 → BN2 → LReLU → max over k
// with both BatchNorms' training statistics taken over all B·N·k edges, as PyTorch's BatchNorm2d.
//
// Layer 1 as in edgeconv.wgsl: Wcat = [W1a ; W1b − W1a] ([2M, C], prep_w), PQ = Wcat·X per cloud
// (a matmul), h1 of edge (b, i, s), j = idx[b, i, s], is P[b, m, j] + Q[b, m, i]. a1 and h2 are
// recomputed from PQ wherever an edge is visited (once BN1's statistics are known, fold_pq
// normalises PQ in place, so a1 = LReLU(γ1·(P̂_j + Q̂_i) + β1); h2 is a row of W2 times a1);
// nothing of size B·N·k·channels is ever stored.
//
// Backward. g = dL/dz2 is nonzero only at the max's winners (dz2 [B, O, N]); BN2's batch statistics
// give every edge dh2_e = A2·g_e − c1_2 − c2_2·x̂2_e (A2 = γ2/σ2, c1_2 = A2·Σg/n, c2_2 = A2·Σg·x̂2/n,
// per channel). With ā the mean of a1 over the edges and x̂2_e = (1/σ2)·W2·(a1_e − ā):
//   da1_e = W2ᵀ·dh2_e = w_e − u − K·(a1_e − ā),  u = W2ᵀ·c1_2,  K = W2ᵀ·diag(c2_2/σ2)·W2  [M, M]
// where w_e = Σ over the channels o whose winner is e of W2[o, :]·A2[o]·g[o]; and
//   dW2 = Σ_e dh2_e·a1_eᵀ = A2·(Σ_winners g·a1ᵀ) − c1_2·(n·ā)ᵀ − diag(c2_2/σ2)·W2·S,
//   S = Σ_e (a1_e − ā)·a1_eᵀ  [M, M] (centred, so no cancellation against the mean).
// So the per-edge cost of the backward is O(M² + M·O), and its reductions are a few [M, M] sums.
// BN1's backward then needs Σ dz1 and Σ dz1·x̂1 over every edge (dz1 = da1·LReLU'(z1)), and dP, dQ
// gather each edge's dh1 = A1·dz1 − c1_1 − c2_1·x̂1 over out-edges and in-edges (the reverse
// adjacency of edgeconv.wgsl), then dX = Wcatᵀ·dPQ and dW1 from dPQ·Xᵀ, as the single-conv EdgeConv.
//
// Buffers (elements, row-major):
//   W1: [M, 2C]   Wcat: [2M, C]   PQ, dPQ: [B, 2M, N]   idx: [B, N, k] i32   W2: [O, M]
//   stats: layer 1 [M, 8] at 0, layer 2 [O, 8] at s2 = 8M (mean, var, 1/σ, γ, β, A, c1, c2 as
//     edgeconv.wgsl), then ā [M] at aBar, S [M, M] at aS, K [M, M] at aK, u [M] at aU
//   partial: [max(M, O), chunks, 2]   spart: [M·M, chunks]
//   y: slice y[yOff + b·yBS + o·N + i]   arg, dz2: [B, O, N]   dy: like y (dyOff, dyBS)
//   adj: [B, N+1] row starts, then at listBase [B, N·k] in-edge lists (edgeconv-adjacency.ts)
//   G: [B, 2M, C]   dW1: [M, 2C]   dW2: [O, M]   dGamma, dBeta: [M] or [O], the layer's
// The uniform names the layer a BN pass works on: L (0 or 1), its channel count BC and stats base.

struct Params {
  B: u32, N: u32, k: u32, C: u32,
  M: u32, O: u32, L: u32, BC: u32,
  chunks: u32, yOff: u32, yBS: u32, dyOff: u32,
  dyBS: u32, listBase: u32, invCount: f32, unbias: f32,
  eps: f32, momentum: f32, _p0: u32, _p1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
// W1 as W (1), Wcat (2), G (19), dW1 as dW (20): parts/edgeconv_wcat.wgsl; partial, stats, gamma, beta,
// runMean, runVar (5 … 10), dGamma, dBeta (21, 22): parts/edgeconv_bn_bindings.wgsl.
// include: parts/edgeconv_wcat.wgsl
// include: parts/edgeconv_bn_bindings.wgsl
@group(0) @binding(3) var<storage, read_write> PQ: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<i32>;
@group(0) @binding(11) var<storage, read_write> y: array<f32>;
@group(0) @binding(12) var<storage, read_write> arg: array<i32>;
@group(0) @binding(13) var<storage, read> dy: array<f32>;
@group(0) @binding(14) var<storage, read_write> dz2: array<f32>;
@group(0) @binding(15) var<storage, read> W2: array<f32>;
@group(0) @binding(16) var<storage, read_write> spart: array<f32>;
@group(0) @binding(17) var<storage, read> adj: array<u32>;
@group(0) @binding(18) var<storage, read_write> dPQ: array<f32>;

override WG: u32 = 64;
// Points per partial sum of the reductions (set by the launcher, src/kernels/edgeconv2.ts).
override CH: u32;
// stats_partial: 0 sums values, 1 sums centred squares; layer 0 sums h1, layer 1 h2; MODE 2 sums a1.
override MODE: u32 = 0u;
// bn_final: training-mode BN backward (gradient through the batch statistics) or eval mode.
override TRAIN: bool = true;

// include: parts/bn_finalize.wgsl

const SLOPE: f32 = 0.2;

fn s2() -> u32 { return 8u * p.M; }
fn aBar() -> u32 { return 8u * (p.M + p.O); }
fn aS() -> u32 { return aBar() + p.M; }
fn aK() -> u32 { return aS() + p.M * p.M; }
fn aU() -> u32 { return aK() + p.M * p.M; }

fn pAt(b: u32, m: u32, n: u32) -> u32 { return (b * 2u * p.M + m) * p.N + n; }
fn qAt(b: u32, m: u32, n: u32) -> u32 { return (b * 2u * p.M + p.M + m) * p.N + n; }
fn nbr(b: u32, i: u32, s: u32) -> u32 { return u32(idx[(b * p.N + i) * p.k + s]); }
// prep_w and dw_combine (parts/edgeconv_wcat.wgsl): Wcat and dW1 of the first, M-channel conv.
fn wcatRows() -> u32 { return p.M; }
fn lrelu(z: f32) -> f32 { return select(SLOPE * z, z, z > 0.0); }
// PyTorch's LeakyReLU derivative at exactly 0 is the slope.
fn lreluGrad(z: f32) -> f32 { return select(SLOPE, 1.0, z > 0.0); }

// Layer 1 of edge (b, i → j), channel m: h1 (from the raw PQ, for BN1's statistics only), then,
// once fold_pq has normalised PQ in place (P̂ = P/σ1, Q̂ = (Q − μ1)/σ1), x̂1 = P̂_j + Q̂_i, the BN
// output z1 and a1, each written once so every pass rounds identically.
fn h1(b: u32, m: u32, i: u32, j: u32) -> f32 { return PQ[pAt(b, m, j)] + PQ[qAt(b, m, i)]; }
fn xh1(b: u32, m: u32, i: u32, j: u32) -> f32 { return PQ[pAt(b, m, j)] + PQ[qAt(b, m, i)]; }
fn z1(b: u32, m: u32, i: u32, j: u32) -> f32 { return stats[m * 8u + 3u] * xh1(b, m, i, j) + stats[m * 8u + 4u]; }
fn a1(b: u32, m: u32, i: u32, j: u32) -> f32 { return lrelu(z1(b, m, i, j)); }

// Layer 2: h2 = W2[o, :]·a1 of the edge, x̂2 and z2.
fn h2(b: u32, o: u32, i: u32, j: u32) -> f32 {
  var acc = 0.0;
  for (var m = 0u; m < p.M; m++) { acc += a1(b, m, i, j) * W2[o * p.M + m]; }
  return acc;
}
fn xh2(h: f32, o: u32) -> f32 { return (h - stats[s2() + o * 8u]) * stats[s2() + o * 8u + 2u]; }
fn z2(h: f32, o: u32) -> f32 { return stats[s2() + o * 8u + 3u] * xh2(h, o) + stats[s2() + o * 8u + 4u]; }

// The backward's per-edge work on layer 1 runs on four channels m0 … m0 + 3 at a time (M4 groups),
// so the a1 values of the K term are computed once for four rows. Lanes past M are clamped
// (valid reads) and never written.
fn m4() -> u32 { return (p.M + 3u) / 4u; }
fn lanes(m0: u32) -> vec4u { return min(vec4u(m0, m0 + 1u, m0 + 2u, m0 + 3u), vec4u(p.M - 1u)); }
fn rowsOf(base: u32, stride: u32, off: u32, c: vec4u) -> vec4f {
  return vec4f(stats[base + c.x * stride + off], stats[base + c.y * stride + off],
               stats[base + c.z * stride + off], stats[base + c.w * stride + off]);
}
fn w2Of(o: u32, c: vec4u) -> vec4f {
  return vec4f(W2[o * p.M + c.x], W2[o * p.M + c.y], W2[o * p.M + c.z], W2[o * p.M + c.w]);
}
fn pq4(b: u32, c: vec4u, n: u32, q: bool) -> vec4f {
  let d = select(0u, p.M * p.N, q);
  return vec4f(PQ[pAt(b, c.x, n) + d], PQ[pAt(b, c.y, n) + d], PQ[pAt(b, c.z, n) + d], PQ[pAt(b, c.w, n) + d]);
}

// x̂1 of edge (b, i → j) on the four lanes.
fn xh1x4(b: u32, c: vec4u, i: u32, j: u32) -> vec4f { return pq4(b, c, j, false) + pq4(b, c, i, true); }

// da1 of edge (b, i, s → j) on lanes c (see the header): the winners' term, then −u − K·(a1 − ā).
fn da1x4(b: u32, c: vec4u, i: u32, s: u32, j: u32) -> vec4f {
  var acc = vec4f(0.0);
  for (var o = 0u; o < p.O; o++) {
    let t = (b * p.O + o) * p.N + i;
    if (u32(arg[t]) == s) { acc += (stats[s2() + o * 8u + 5u] * dz2[t]) * w2Of(o, c); }
  }
  var kk = vec4f(0.0);
  for (var q = 0u; q < p.M; q++) {
    kk += (a1(b, q, i, j) - stats[aBar() + q]) * rowsOf(aK() + q, p.M, 0u, c);
  }
  return acc - rowsOf(aU(), 1u, 0u, c) - kk;
}

// dz1 and dh1 of the edge on the lanes: through LReLU and BN1 (coefficients of bn_final on layer 1).
struct Grad1 { dz: vec4f, xh: vec4f, dh: vec4f }
fn grad1x4(b: u32, c: vec4u, i: u32, s: u32, j: u32) -> Grad1 {
  let xh = xh1x4(b, c, i, j);
  let z = rowsOf(0u, 8u, 3u, c) * xh + rowsOf(0u, 8u, 4u, c);
  let dz = da1x4(b, c, i, s, j) * select(vec4f(SLOPE), vec4f(1.0), z > vec4f(0.0));
  let dh = rowsOf(0u, 8u, 5u, c) * dz - rowsOf(0u, 8u, 6u, c) - rowsOf(0u, 8u, 7u, c) * xh;
  return Grad1(dz, xh, dh);
}

// After BN1's statistics (batch or running): PQ normalised in place, one thread per (b, m, n).
@compute @workgroup_size(WG)
fn fold_pq(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.B * p.M * p.N) { return; }
  let n = t % p.N;
  let m = (t / p.N) % p.M;
  let b = t / (p.N * p.M);
  let inv = stats[m * 8u + 2u];
  PQ[pAt(b, m, n)] = PQ[pAt(b, m, n)] * inv;
  PQ[qAt(b, m, n)] = (PQ[qAt(b, m, n)] - stats[m * 8u]) * inv;
}

// Layer 1, one thread per (channel, chunk of CH points): sums over the chunk's edges in order of
// h1 (MODE 0, raw PQ), its centred squares (MODE 1), or a1 (MODE 2, normalised PQ). Partial sums
// land in partial[channel, chunk, 0].
@compute @workgroup_size(WG)
fn stats_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                 @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.M * p.chunks) { return; }
  let m = t / p.chunks;
  let c = t % p.chunks;
  let mean = stats[m * 8u];
  let end = min((c + 1u) * CH, p.B * p.N);
  var acc = 0.0;
  for (var pt = c * CH; pt < end; pt++) {
    let b = pt / p.N;
    let i = pt % p.N;
    for (var s = 0u; s < p.k; s++) {
      let j = nbr(b, i, s);
      if (MODE == 2u) {
        acc += a1(b, m, i, j);
      } else if (MODE == 1u) {
        let d = h1(b, m, i, j) - mean;
        acc += d * d;
      } else {
        acc += h1(b, m, i, j);
      }
    }
  }
  partial[t * 2u] = acc;
}

// Layer 2's forward passes take four output channels o0 … o0 + 3 per thread (O4 groups), so the
// a1 values of an edge serve four rows of W2. Lanes past O are clamped and never written.
fn o4() -> u32 { return (p.O + 3u) / 4u; }
fn outLanes(o0: u32) -> vec4u { return min(vec4u(o0, o0 + 1u, o0 + 2u, o0 + 3u), vec4u(p.O - 1u)); }
fn h2x4(b: u32, c: vec4u, i: u32, j: u32) -> vec4f {
  var acc = vec4f(0.0);
  for (var m = 0u; m < p.M; m++) {
    acc += a1(b, m, i, j) * vec4f(W2[c.x * p.M + m], W2[c.y * p.M + m], W2[c.z * p.M + m], W2[c.w * p.M + m]);
  }
  return acc;
}

// Layer 2's statistics, one thread per (four channels, chunk): Σ h2 (MODE 0) or Σ (h2 − mean)²
// (MODE 1) over the chunk's edges in order.
@compute @workgroup_size(WG)
fn stats2_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= o4() * p.chunks) { return; }
  let o0 = (t / p.chunks) * 4u;
  let c = t % p.chunks;
  let ch = outLanes(o0);
  let mean = vec4f(stats[s2() + ch.x * 8u], stats[s2() + ch.y * 8u], stats[s2() + ch.z * 8u], stats[s2() + ch.w * 8u]);
  let end = min((c + 1u) * CH, p.B * p.N);
  var acc = vec4f(0.0);
  for (var pt = c * CH; pt < end; pt++) {
    let b = pt / p.N;
    let i = pt % p.N;
    for (var s = 0u; s < p.k; s++) {
      let e = h2x4(b, ch, i, nbr(b, i, s));
      if (MODE == 1u) {
        let d = e - mean;
        acc += d * d;
      } else {
        acc += e;
      }
    }
  }
  for (var l = 0u; l < 4u && o0 + l < p.O; l++) { partial[((o0 + l) * p.chunks + c) * 2u] = acc[l]; }
}

fn sumPartials(o: u32, which: u32) -> f32 {
  var acc = 0.0;
  for (var c = 0u; c < p.chunks; c++) { acc += partial[(o * p.chunks + c) * 2u + which]; }
  return acc;
}
fn sBase() -> u32 { return select(0u, s2(), p.L == 1u); }

// After pass 0: the layer's batch mean per channel.
@compute @workgroup_size(WG)
fn stats_mean(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= p.BC) { return; }
  stats[sBase() + o * 8u] = sumPartials(o, 0u) * p.invCount;
}

// After pass 1: biased variance, 1/σ, γ and β as the forward sees them, and PyTorch's running
// update (momentum weighs the new batch value; the running variance is unbiased).
@compute @workgroup_size(WG)
fn stats_var(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= p.BC) { return; }
  let at = sBase() + o * 8u;
  let v = sumPartials(o, 0u) * p.invCount;
  stats[at + 1u] = v;
  stats[at + 2u] = bnInvStd(v, p.eps);
  stats[at + 3u] = gamma[o];
  stats[at + 4u] = beta[o];
  runMean[o] = bnRunning(runMean[o], stats[at], p.momentum);
  runVar[o] = bnRunning(runVar[o], v * p.unbias, p.momentum);
}

// Eval mode: normalise with the running statistics; no buffer of the caller changes.
@compute @workgroup_size(WG)
fn stats_eval(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= p.BC) { return; }
  let at = sBase() + o * 8u;
  let v = runVar[o];
  stats[at] = runMean[o];
  stats[at + 1u] = v;
  stats[at + 2u] = bnInvStd(v, p.eps);
  stats[at + 3u] = gamma[o];
  stats[at + 4u] = beta[o];
}

// ā after the MODE 2 pass: the mean of a1 over the edges.
@compute @workgroup_size(WG)
fn abar_final(@builtin(global_invocation_id) gid: vec3u) {
  let m = gid.x;
  if (m >= p.M) { return; }
  stats[aBar() + m] = sumPartials(m, 0u) * p.invCount;
}

// One thread per (4×4 block of S, chunk): Σ over the chunk's edges of (a1[q] − ā[q])·a1[m] for
// q = q0 … q0 + 3, m = m0 … m0 + 3 (eight a1 values per edge serve sixteen entries of S).
@compute @workgroup_size(WG)
fn s_partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= m4() * m4() * p.chunks) { return; }
  let blk = t / p.chunks;
  let c = t % p.chunks;
  let q0 = (blk / m4()) * 4u;
  let m0 = (blk % m4()) * 4u;
  let qs = lanes(q0);
  let ms = lanes(m0);
  let qbar = rowsOf(aBar(), 1u, 0u, qs);
  let end = min((c + 1u) * CH, p.B * p.N);
  var acc: array<vec4f, 4>;
  for (var pt = c * CH; pt < end; pt++) {
    let b = pt / p.N;
    let i = pt % p.N;
    for (var s = 0u; s < p.k; s++) {
      let j = nbr(b, i, s);
      let dq = vec4f(a1(b, qs.x, i, j), a1(b, qs.y, i, j), a1(b, qs.z, i, j), a1(b, qs.w, i, j)) - qbar;
      let am = vec4f(a1(b, ms.x, i, j), a1(b, ms.y, i, j), a1(b, ms.z, i, j), a1(b, ms.w, i, j));
      acc[0] += dq.x * am;
      acc[1] += dq.y * am;
      acc[2] += dq.z * am;
      acc[3] += dq.w * am;
    }
  }
  for (var lq = 0u; lq < 4u && q0 + lq < p.M; lq++) {
    for (var lm = 0u; lm < 4u && m0 + lm < p.M; lm++) {
      spart[((q0 + lq) * p.M + m0 + lm) * p.chunks + c] = acc[lq][lm];
    }
  }
}

// S [M, M] from the chunks in order (one thread per element), then K and u from W2 and layer 2's
// backward coefficients (threads M·M … M·M + M − 1 compute u). Runs after bn_final on layer 2.
@compute @workgroup_size(WG)
fn s_final(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  let mm = p.M * p.M;
  if (t < mm) {
    var acc = 0.0;
    for (var c = 0u; c < p.chunks; c++) { acc += spart[t * p.chunks + c]; }
    stats[aS() + t] = acc;
    let m = t / p.M;
    let q = t % p.M;
    var kk = 0.0;
    for (var o = 0u; o < p.O; o++) {
      let w = s2() + o * 8u;
      kk += W2[o * p.M + m] * stats[w + 7u] * stats[w + 2u] * W2[o * p.M + q];
    }
    stats[aK() + t] = kk;
  } else if (t < mm + p.M) {
    let m = t - mm;
    var uu = 0.0;
    for (var o = 0u; o < p.O; o++) { uu += W2[o * p.M + m] * stats[s2() + o * 8u + 6u]; }
    stats[aU() + m] = uu;
  }
}

// One thread per (b, four output channels, i): BN2 is affine with scale γ2/σ2 and LeakyReLU
// increasing, so the winner is the largest h2 when γ2 > 0, the smallest when γ2 < 0, and slot 0
// when γ2 = 0. The first slot wins exact ties, as PyTorch's CPU max.
@compute @workgroup_size(WG)
fn fwd_max(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.B * o4() * p.N) { return; }
  let i = t % p.N;
  let o0 = ((t / p.N) % o4()) * 4u;
  let b = t / (p.N * o4());
  let ch = outLanes(o0);
  let g = vec4f(stats[s2() + ch.x * 8u + 3u], stats[s2() + ch.y * 8u + 3u], stats[s2() + ch.z * 8u + 3u],
                stats[s2() + ch.w * 8u + 3u]);
  var best = h2x4(b, ch, i, nbr(b, i, 0u));
  var bs = vec4u(0u);
  for (var s = 1u; s < p.k; s++) {
    let e = h2x4(b, ch, i, nbr(b, i, s));
    let better = ((g > vec4f(0.0)) & (e > best)) | ((g < vec4f(0.0)) & (e < best));
    best = select(best, e, better);
    bs = select(bs, vec4u(s), better);
  }
  for (var l = 0u; l < 4u && o0 + l < p.O; l++) {
    let o = o0 + l;
    y[p.yOff + b * p.yBS + o * p.N + i] = lrelu(z2(best[l], o));
    arg[(b * p.O + o) * p.N + i] = i32(bs[l]);
  }
}

// Backward, step 1: g = dy·LReLU'(z2) on each winning edge (dz2, per output), and per chunk the
// sums of g and g·x̂2 that give dβ2 and dγ2. One thread per (o, chunk).
@compute @workgroup_size(WG)
fn bwd2_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let t0 = foldedId(wid, nwg, WG, lid);
  if (t0 >= p.O * p.chunks) { return; }
  let o = t0 / p.chunks;
  let c = t0 % p.chunks;
  let end = min((c + 1u) * CH, p.B * p.N);
  var s0 = 0.0;
  var s1 = 0.0;
  for (var pt = c * CH; pt < end; pt++) {
    let b = pt / p.N;
    let i = pt % p.N;
    let t = (b * p.O + o) * p.N + i;
    let h = h2(b, o, i, nbr(b, i, u32(arg[t])));
    let d = dy[p.dyOff + b * p.dyBS + o * p.N + i] * lreluGrad(z2(h, o));
    dz2[t] = d;
    s0 += d;
    s1 += d * xh2(h, o);
  }
  partial[t0 * 2u] = s0;
  partial[t0 * 2u + 1u] = s1;
}

// The layer's dβ = Σ dz, dγ = Σ dz·x̂ and its edge coefficients: training mode
// de = A·dz − c1 − c2·x̂ with A = γ/σ, c1 = A·dβ/n, c2 = A·dγ/n; eval mode de = A·dz.
@compute @workgroup_size(WG)
fn bn_final(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= p.BC) { return; }
  let at = sBase() + o * 8u;
  let db = sumPartials(o, 0u);
  let dg = sumPartials(o, 1u);
  dBeta[o] = db;
  dGamma[o] = dg;
  let a = stats[at + 3u] * stats[at + 2u];
  stats[at + 5u] = a;
  stats[at + 6u] = select(0.0, a * db * p.invCount, TRAIN);
  stats[at + 7u] = select(0.0, a * dg * p.invCount, TRAIN);
}

// dW2 [O, M], one thread per element: A2·Σ_winners g·a1 − c1_2·n·ā − (c2_2/σ2)·(W2·S).
@compute @workgroup_size(WG)
fn dw2(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
       @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.O * p.M) { return; }
  let o = t / p.M;
  let m = t % p.M;
  var win = 0.0;
  for (var pt = 0u; pt < p.B * p.N; pt++) {
    let b = pt / p.N;
    let i = pt % p.N;
    let to = (b * p.O + o) * p.N + i;
    win += dz2[to] * a1(b, m, i, nbr(b, i, u32(arg[to])));
  }
  var ws = 0.0;
  for (var q = 0u; q < p.M; q++) { ws += W2[o * p.M + q] * stats[aS() + q * p.M + m]; }
  let w = s2() + o * 8u;
  let n = 1.0 / p.invCount;
  dW[t] = stats[w + 5u] * win - stats[w + 6u] * n * stats[aBar() + m] - stats[w + 7u] * stats[w + 2u] * ws;
}

// BN1's backward sums: per (four channels, chunk), Σ dz1 and Σ dz1·x̂1 over every edge of the chunk.
@compute @workgroup_size(WG)
fn bwd1_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let t0 = foldedId(wid, nwg, WG, lid);
  if (t0 >= m4() * p.chunks) { return; }
  let m0 = (t0 / p.chunks) * 4u;
  let c = t0 % p.chunks;
  let ch = lanes(m0);
  let end = min((c + 1u) * CH, p.B * p.N);
  var s0 = vec4f(0.0);
  var s1 = vec4f(0.0);
  for (var pt = c * CH; pt < end; pt++) {
    let b = pt / p.N;
    let i = pt % p.N;
    for (var s = 0u; s < p.k; s++) {
      let g = grad1x4(b, ch, i, s, nbr(b, i, s));
      s0 += g.dz;
      s1 += g.dz * g.xh;
    }
  }
  for (var l = 0u; l < 4u && m0 + l < p.M; l++) {
    partial[((m0 + l) * p.chunks + c) * 2u] = s0[l];
    partial[((m0 + l) * p.chunks + c) * 2u + 1u] = s1[l];
  }
}

// One thread per (b, four channels, n): dQ[n] sums dh1 over n's k out-edges, dP[n] over its
// in-edges, read from the reverse adjacency in ascending edge order.
@compute @workgroup_size(WG)
fn bwd1_dpq(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.B * m4() * p.N) { return; }
  let n = t % p.N;
  let m0 = ((t / p.N) % m4()) * 4u;
  let b = t / (p.N * m4());
  let ch = lanes(m0);
  var accQ = vec4f(0.0);
  for (var s = 0u; s < p.k; s++) { accQ += grad1x4(b, ch, n, s, nbr(b, n, s)).dh; }
  let r0 = adj[b * (p.N + 1u) + n];
  let r1 = adj[b * (p.N + 1u) + n + 1u];
  let list = p.listBase + b * p.N * p.k;
  var accP = vec4f(0.0);
  for (var r = r0; r < r1; r++) {
    let e = adj[list + r];
    accP += grad1x4(b, ch, e / p.k, e % p.k, n).dh;
  }
  for (var l = 0u; l < 4u && m0 + l < p.M; l++) {
    dPQ[qAt(b, m0 + l, n)] = accQ[l];
    dPQ[pAt(b, m0 + l, n)] = accP[l];
  }
}

