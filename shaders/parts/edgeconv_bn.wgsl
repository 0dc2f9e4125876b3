// The BatchNorm passes of the two EdgeConv shaders (edgeconv.wgsl, edgeconv_naive.wgsl), which
// include this part: after the per-chunk sums of a pass, the batch mean, the variance with 1/σ and
// the running update, the eval-mode statistics, and the backward's dβ, dγ and edge coefficients.
// The including shader declares p (O, chunks, invCount, unbias, eps, momentum) and the override
// TRAIN, and includes parts/edgeconv_bn_bindings.wgsl (partial [O, chunks, 2], stats [O, 8] (mean,
// var, 1/σ, γ, β, A, c1, c2), gamma, beta, runMean, runVar, dGamma, dBeta).
// include: parts/bn_finalize.wgsl

fn sumPartials(o: u32, which: u32) -> f32 {
  var acc = 0.0;
  for (var c = 0u; c < p.chunks; c++) { acc += partial[(o * p.chunks + c) * 2u + which]; }
  return acc;
}

// After pass 0: the batch mean per channel.
@compute @workgroup_size(64)
fn stats_mean(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= p.O) { return; }
  stats[o * 8u] = sumPartials(o, 0u) * p.invCount;
}

// After pass 1: biased variance, 1/σ, the affine parameters, and the running-statistics update
// (PyTorch: momentum weighs the new batch value; the running variance is unbiased).
@compute @workgroup_size(64)
fn stats_var(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= p.O) { return; }
  let mean = stats[o * 8u];
  let v = sumPartials(o, 0u) * p.invCount;
  stats[o * 8u + 1u] = v;
  stats[o * 8u + 2u] = bnInvStd(v, p.eps);
  stats[o * 8u + 3u] = gamma[o];
  stats[o * 8u + 4u] = beta[o];
  runMean[o] = bnRunning(runMean[o], mean, p.momentum);
  runVar[o] = bnRunning(runVar[o], v * p.unbias, p.momentum);
}

// Eval mode: normalise with the running statistics; no buffer of the caller changes.
@compute @workgroup_size(64)
fn stats_eval(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= p.O) { return; }
  let v = runVar[o];
  stats[o * 8u] = runMean[o];
  stats[o * 8u + 1u] = v;
  stats[o * 8u + 2u] = bnInvStd(v, p.eps);
  stats[o * 8u + 3u] = gamma[o];
  stats[o * 8u + 4u] = beta[o];
}

// Backward, step 2: dβ = Σ dz, dγ = Σ dz·x̂ over winning edges, and the per-edge coefficients.
// Training mode: de = (γ/σ)·(dz − dβ/n − x̂·dγ/n); eval mode: de = (γ/σ)·dz.
@compute @workgroup_size(64)
fn bwd_final(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  if (o >= p.O) { return; }
  let db = sumPartials(o, 0u);
  let dg = sumPartials(o, 1u);
  dBeta[o] = db;
  dGamma[o] = dg;
  let a = stats[o * 8u + 3u] * stats[o * 8u + 2u];
  stats[o * 8u + 5u] = a;
  stats[o * 8u + 6u] = select(0.0, a * db * p.invCount, TRAIN);
  stats[o * 8u + 7u] = select(0.0, a * dg * p.invCount, TRAIN);
}
