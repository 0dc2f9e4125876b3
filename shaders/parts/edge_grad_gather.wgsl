// The backward of the materialised edge tensor E = [x_j − x_i ; x_i] onto the points, shared by
// edge_gather.wgsl and edgeconv_naive.wgsl, which include this part. WGSL has no float atomics
// for a scatter, so each point gathers: its own k out-edges' centre half minus their difference
// half, then the difference half of its in-edges from the reverse adjacency of edgeconv.wgsl,
// in a fixed order (slots ascending, then in-edges ascending).
// The including shader declares the uniform p (B, N, k, C, listBase, accumulate), dE [B, 2C, N·k],
// adj ([B, N+1] row starts, then at listBase [B, N·k] in-edge ids i·k + s) and dx (a channel slice).

// Σ_s (dE[b, C + c, n·k + s] − dE[b, c, n·k + s]) + Σ over in-edges m of n of dE[b, c, m].
fn edgeGradAt(b: u32, c: u32, n: u32) -> f32 {
  let nk = p.N * p.k;
  let diff = (b * 2u * p.C + c) * nk;
  let ctr = (b * 2u * p.C + p.C + c) * nk;
  var acc = 0.0;
  for (var s = 0u; s < p.k; s++) {
    let m = n * p.k + s;
    acc += dE[ctr + m] - dE[diff + m];
  }
  let r0 = adj[b * (p.N + 1u) + n];
  let r1 = adj[b * (p.N + 1u) + n + 1u];
  let list = p.listBase + b * nk;
  for (var r = r0; r < r1; r++) { acc += dE[diff + adj[list + r]]; }
  return acc;
}

// Thread t of one per (b, c, n): dx[off + b·bs + c·N + n] = edgeGradAt(b, c, n), added to what dx
// holds when p.accumulate is set.
fn gatherEdgeGrad(t: u32, off: u32, bs: u32) {
  if (t >= p.B * p.C * p.N) { return; }
  let n = t % p.N;
  let c = (t / p.N) % p.C;
  let b = t / (p.N * p.C);
  var acc = edgeGradAt(b, c, n);
  let at = off + b * bs + c * p.N + n;
  if (p.accumulate != 0u) { acc += dx[at]; }
  dx[at] = acc;
}
