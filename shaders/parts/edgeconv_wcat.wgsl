// The first conv of the fused EdgeConv shaders (edgeconv.wgsl, edgeconv2.wgsl), which include this
// part: W = [Wa Wb] ([R, 2C]) applied to [x_j − x_i ; x_i] is Wa·x_j + (Wb − Wa)·x_i, so the
// launcher runs one matmul PQ = Wcat·X with Wcat = [Wa ; Wb − Wa] ([2R, C]); the backward's
// per-cloud G[b] = dPQ[b]·X[b]ᵀ ([B, 2R, C]) gives dW.
// The including shader declares the uniform p (B, C), the override WG and `fn wcatRows() -> u32`,
// R: the first conv's output channels.

@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> Wcat: array<f32>;
@group(0) @binding(19) var<storage, read> G: array<f32>;
@group(0) @binding(20) var<storage, read_write> dW: array<f32>;

// Wcat = [Wa ; Wb − Wa]: one thread per (r, c) of [R, C].
@compute @workgroup_size(WG)
fn prep_w(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let R = wcatRows();
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= R * p.C) { return; }
  let r = t / p.C;
  let c = t % p.C;
  let wa = W[r * 2u * p.C + c];
  let wb = W[r * 2u * p.C + p.C + c];
  Wcat[r * p.C + c] = wa;
  Wcat[(R + r) * p.C + c] = wb - wa;
}

// dW from the per-cloud products G[b] = dPQ[b]·X[b]ᵀ: dWa = Σ_b (dP − dQ)·Xᵀ, dWb = Σ_b dQ·Xᵀ,
// summed over clouds in order. One thread per element of dW [R, 2C] (overwritten).
@compute @workgroup_size(WG)
fn dw_combine(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let R = wcatRows();
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= R * 2u * p.C) { return; }
  let r = t / (2u * p.C);
  let c = t % (2u * p.C);
  let cc = select(c, c - p.C, c >= p.C);
  var gp = 0.0;
  var gq = 0.0;
  for (var b = 0u; b < p.B; b++) {
    gp += G[(b * 2u * R + r) * p.C + cc];
    gq += G[(b * 2u * R + R + r) * p.C + cc];
  }
  dW[t] = select(gp - gq, gq, c >= p.C);
}
