// Adam with PyTorch's semantics (torch.optim.Adam, weight_decay added to the gradient, no amsgrad):
//   g ← g + wd·θ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   θ ← θ − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
// and a finiteness check of the gradients that runs first (parts/finite_check.wgsl): if any
// gradient of the step is NaN or infinite, no parameter is touched and `flags[tensor]` says which
// tensor went bad.

struct Params {
  n: u32, tensor: u32, lr: f32, beta1: f32,
  beta2: f32, eps: f32, weightDecay: f32, bc1: f32,   // bc1 = 1 − β1ᵗ
  sqrtBc2: f32, anyIndex: u32, _p1: u32, _p2: u32,     // sqrtBc2 = √(1 − β2ᵗ)
}

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;  // [n] parameters
@group(0) @binding(1) var<storage, read> grad: array<f32>;         // [n] gradients
@group(0) @binding(2) var<storage, read_write> m: array<f32>;      // [n] first moment
@group(0) @binding(3) var<storage, read_write> v: array<f32>;      // [n] second moment
// [tensors + 1]: flags[t] = 1 when tensor t's gradient has a non-finite value; flags[anyIndex] = OR of all.
@group(0) @binding(4) var<storage, read_write> flags: array<atomic<u32>>;
@group(0) @binding(5) var<uniform> p: Params;

override WG: u32 = 256;

// check_finite, the entry point that runs first: the gradients' finiteness check.
// include: parts/finite_check.wgsl

@compute @workgroup_size(WG)
fn adam_step(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.n) { return; }
  // Skip the whole step when any tensor's gradient was non-finite (the checks of every tensor
  // are recorded before the first update pass).
  if (atomicLoad(&flags[p.anyIndex]) != 0u) { return; }
  let g = grad[i] + p.weightDecay * theta[i];
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  theta[i] = theta[i] - (p.lr / p.bc1) * mi / (sqrt(vi) / p.sqrtBc2 + p.eps);
}
