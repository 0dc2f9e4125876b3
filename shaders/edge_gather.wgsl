// The edge tensor of EdgeConv, materialised (PyTorch's get_graph_feature), for the part-
// segmentation model's two-conv EdgeConv blocks, whose second conv needs the first one's output
// per edge:
//   E[b, c, i·k + s] = x[b, c, j] − x[b, c, i],  E[b, C + c, i·k + s] = x[b, c, i],  j = idx[b, i, s]
// Backward (no float atomics: in-edges come from the reverse adjacency of shaders/edgeconv.wgsl):
//   dx[b, c, n] (+)= Σ_s (dE[b, C + c, n·k + s] − dE[b, c, n·k + s]) + Σ_{(i,s): idx[b,i,s] = n} dE[b, c, i·k + s]
// summed in a fixed order (slots ascending, then in-edges ascending).
//
// Buffers (elements): x, dx: channel slices x[xOff + b·xBS + c·N + n]   idx: [B, N, k] i32
//   E, dE: [B, 2C, N·k]   adj: [B, N+1] row starts, then at listBase [B, N·k] in-edge ids i·k + s

struct Params {
  B: u32, N: u32, k: u32, C: u32,
  xOff: u32, xBS: u32, accumulate: u32, listBase: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> E: array<f32>;
@group(0) @binding(4) var<storage, read> dE: array<f32>;
@group(0) @binding(5) var<storage, read> adj: array<u32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

override WG: u32 = 256u;

// include: parts/edge_grad_gather.wgsl

// One thread per (b, c, i, s) of the first half; it writes both halves.
@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  let nk = p.N * p.k;
  if (t >= p.B * p.C * nk) { return; }
  let m = t % nk;
  let c = (t / nk) % p.C;
  let b = t / (nk * p.C);
  let i = m / p.k;
  let j = u32(idx[b * nk + m]);
  let row = p.xOff + b * p.xBS + c * p.N;
  let xi = x[row + i];
  E[(b * 2u * p.C + c) * nk + m] = x[row + j] - xi;
  E[(b * 2u * p.C + p.C + c) * nk + m] = xi;
}

// One thread per (b, c, n).
@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  gatherEdgeGrad(foldedId(wid, nwg, WG, lid), p.xOff, p.xBS);
}
