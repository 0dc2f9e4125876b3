// The optimizers' finiteness check of the gradients (included by adam.wgsl and sgd.wgsl), recorded
// for every tensor before the first update pass: a step with any NaN or infinite gradient touches
// no parameter, and `flags[tensor]` says which tensor went bad.
// The including shader declares what it reads: `grad: array<f32>` ([n] gradients),
// `flags: array<atomic<u32>>` ([tensors + 1]), the uniform `p` with `n`, `tensor` and `anyIndex`,
// and the override `WG`.

// include: parts/is_finite.wgsl

@compute @workgroup_size(WG)
fn check_finite(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.n) { return; }
  if (!isFinite(grad[i])) {
    atomicOr(&flags[p.tensor], 1u);
    atomicOr(&flags[p.anyIndex], 1u);
  }
}
