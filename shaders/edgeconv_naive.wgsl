// EdgeConv the way PyTorch's DGCNN runs it, for comparison with shaders/edgeconv.wgsl: materialise
// the edge tensor E = [x_j − x_i ; x_i] ([B, 2C, N·k]), conv as a matmul Z = W·E, BatchNorm and
// LeakyReLU into a dense activation tensor, then max over k. The backward materialises dZ and
// dE = Wᵀ·dZ, then gathers dE back onto the points (through the reverse adjacency built by
// shaders/edgeconv.wgsl, since WGSL has no float atomics for a scatter).
//
// Buffers (elements, row-major; "m" = i·k + s is the edge index within a cloud, Nk = N·k):
//   x, dx: channel slices, x[xOff + b·xBS + c·N + n]   idx: [B, N, k] i32
//   E, dE: [B, 2C, Nk]   Z, act, dZ: [B, O, Nk]   stats: [O, 8] as in edgeconv.wgsl
//   partial: [O, chunks, 2]   y, dy: slices   arg: [B, O, N]   adj: see edgeconv.wgsl
//   G: [B, O, 2C] per-cloud dZ·Eᵀ   dW: [O, 2C]

struct Params {
  B: u32, N: u32, k: u32, C: u32,
  O: u32, chunks: u32, xOff: u32, xBS: u32,
  yOff: u32, yBS: u32, dyOff: u32, dyBS: u32,
  dxOff: u32, dxBS: u32, accumulate: u32, listBase: u32,
  invCount: f32, unbias: f32, eps: f32, momentum: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
// partial, stats, gamma, beta, runMean, runVar (5 … 10), dGamma, dBeta (21, 22):
// include: parts/edgeconv_bn_bindings.wgsl
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> E: array<f32>;
@group(0) @binding(4) var<storage, read> Z: array<f32>;
@group(0) @binding(11) var<storage, read_write> act: array<f32>;
@group(0) @binding(12) var<storage, read_write> y: array<f32>;
@group(0) @binding(13) var<storage, read_write> arg: array<i32>;
@group(0) @binding(14) var<storage, read> dy: array<f32>;
@group(0) @binding(15) var<storage, read_write> dZ: array<f32>;
@group(0) @binding(16) var<storage, read> dE: array<f32>;
@group(0) @binding(17) var<storage, read_write> dx: array<f32>;
@group(0) @binding(18) var<storage, read> adj: array<u32>;
@group(0) @binding(19) var<storage, read> G: array<f32>;
@group(0) @binding(20) var<storage, read_write> dW: array<f32>;

override WG: u32 = 256;
override MODE: u32 = 0u;
override TRAIN: bool = true;

// stats_mean, stats_var, stats_eval and bwd_final (with sumPartials), as in edgeconv.wgsl:
// include: parts/edgeconv_bn.wgsl
// include: parts/edge_grad_gather.wgsl

const SLOPE: f32 = 0.2;

var<workgroup> sh0: array<f32, WG>;
var<workgroup> sh1: array<f32, WG>;

fn normalised(z: f32, o: u32) -> f32 { return (z - stats[o * 8u]) * stats[o * 8u + 2u]; }
fn bnOut(xh: f32, o: u32) -> f32 { return stats[o * 8u + 3u] * xh + stats[o * 8u + 4u]; }

fn reduceShared(lid: u32, two: bool) {
  for (var off = WG / 2u; off > 0u; off >>= 1u) {
    workgroupBarrier();
    if (lid < off) {
      sh0[lid] += sh0[lid + off];
      if (two) { sh1[lid] += sh1[lid + off]; }
    }
  }
  workgroupBarrier();
}

// E[b, c, m] = x_j − x_i (c < C) or x_i (c ≥ C), j = idx[b, i, s]: one thread per element.
@compute @workgroup_size(WG)
fn build_edges(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  let nk = p.N * p.k;
  if (t >= p.B * 2u * p.C * nk) { return; }
  let m = t % nk;
  let c2 = (t / nk) % (2u * p.C);
  let b = t / (nk * 2u * p.C);
  let i = m / p.k;
  let c = select(c2, c2 - p.C, c2 >= p.C);
  let xb = p.xOff + b * p.xBS + c * p.N;
  let xi = x[xb + i];
  if (c2 >= p.C) {
    E[t] = xi;
  } else {
    E[t] = x[xb + u32(idx[b * nk + m])] - xi;
  }
}

// BN statistics over the dense Z: grid (chunks, O), WG edges per group.
@compute @workgroup_size(WG)
fn stats_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.y;
  let nk = p.N * p.k;
  let pos = wid.x * WG + lid;
  var acc = 0.0;
  if (pos < p.B * nk) {
    let z = Z[((pos / nk) * p.O + o) * nk + pos % nk];
    if (MODE == 0u) {
      acc = z;
    } else {
      let d = z - stats[o * 8u];
      acc = d * d;
    }
  }
  sh0[lid] = acc;
  reduceShared(lid, false);
  if (lid == 0u) { partial[(o * p.chunks + wid.x) * 2u] = sh0[0]; }
}

// act = LeakyReLU(BN(Z)), dense.
@compute @workgroup_size(WG)
fn activate(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  let nk = p.N * p.k;
  if (t >= p.B * p.O * nk) { return; }
  let o = (t / nk) % p.O;
  let z = bnOut(normalised(Z[t], o), o);
  act[t] = select(SLOPE * z, z, z > 0.0);
}

// Max over the k activated values of each (b, o, i); the first slot wins ties.
@compute @workgroup_size(WG)
fn max_k(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.B * p.O * p.N) { return; }
  let i = t % p.N;
  let o = (t / p.N) % p.O;
  let b = t / (p.N * p.O);
  let base = (b * p.O + o) * p.N * p.k + i * p.k;
  var best = act[base];
  var bs = 0u;
  for (var s = 1u; s < p.k; s++) {
    let a = act[base + s];
    if (a > best) {
      best = a;
      bs = s;
    }
  }
  y[p.yOff + b * p.yBS + o * p.N + i] = best;
  arg[t] = i32(bs);
}

// Gradient of the BN output at dense edge t of channel o: dy·LeakyReLU' on winners, else 0.
fn dzHat(t: u32, o: u32, xh: f32) -> f32 {
  let nk = p.N * p.k;
  let m = t % nk;
  let b = t / (nk * p.O);
  let i = m / p.k;
  let out = (b * p.O + o) * p.N + i;
  if (u32(arg[out]) != m % p.k) { return 0.0; }
  let z = bnOut(xh, o);
  return dy[p.dyOff + b * p.dyBS + o * p.N + i] * select(SLOPE, 1.0, z > 0.0);
}

@compute @workgroup_size(WG)
fn bwd_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.y;
  let nk = p.N * p.k;
  let pos = wid.x * WG + lid;
  var a0 = 0.0;
  var a1 = 0.0;
  if (pos < p.B * nk) {
    let t = ((pos / nk) * p.O + o) * nk + pos % nk;
    let xh = normalised(Z[t], o);
    let d = dzHat(t, o, xh);
    a0 = d;
    a1 = d * xh;
  }
  sh0[lid] = a0;
  sh1[lid] = a1;
  reduceShared(lid, true);
  if (lid == 0u) {
    partial[(o * p.chunks + wid.x) * 2u] = sh0[0];
    partial[(o * p.chunks + wid.x) * 2u + 1u] = sh1[0];
  }
}

// dZ, dense: (γ/σ)·(dẑ − dβ/n − x̂·dγ/n) in training mode.
@compute @workgroup_size(WG)
fn bwd_dz(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  let nk = p.N * p.k;
  if (t >= p.B * p.O * nk) { return; }
  let o = (t / nk) % p.O;
  let xh = normalised(Z[t], o);
  dZ[t] = stats[o * 8u + 5u] * dzHat(t, o, xh) - stats[o * 8u + 6u] - stats[o * 8u + 7u] * xh;
}

// dx[b, c, n] (+)= Σ_s (dE[C + c, n·k + s] − dE[c, n·k + s]) + Σ over in-edges m of n of dE[c, m].
// (parts/edge_grad_gather.wgsl, as edge_gather.wgsl's backward)
@compute @workgroup_size(WG)
fn bwd_dx(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  gatherEdgeGrad(foldedId(wid, nwg, WG, lid), p.dxOff, p.dxBS);
}

// dW = Σ_b G[b], in cloud order.
@compute @workgroup_size(WG)
fn dw_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  let size = p.O * 2u * p.C;
  if (t >= size) { return; }
  var acc = 0.0;
  for (var b = 0u; b < p.B; b++) { acc += G[b * size + t]; }
  dW[t] = acc;
}
