// SGD with momentum, PyTorch's semantics (torch.optim.SGD, dampening 0, no Nesterov):
//   g ← g + wd·θ;  buf ← μ·buf + g (buf starts at 0, so the first step's buf is g);  θ ← θ − lr·buf
// and, as in adam.wgsl, a finiteness check of the gradients that runs first (parts/finite_check.wgsl):
// if any gradient of the step is NaN or infinite, no parameter is touched and `flags[tensor]` says
// which tensor went bad.

struct Params {
  n: u32, tensor: u32, lr: f32, momentum: f32,
  weightDecay: f32, anyIndex: u32, _p0: u32, _p1: u32,
}

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;  // [n] parameters
@group(0) @binding(1) var<storage, read> grad: array<f32>;         // [n] gradients
@group(0) @binding(2) var<storage, read_write> buf: array<f32>;    // [n] momentum buffer
// [tensors + 1]: flags[t] = 1 when tensor t's gradient has a non-finite value; flags[anyIndex] = OR of all.
@group(0) @binding(3) var<storage, read_write> flags: array<atomic<u32>>;
@group(0) @binding(4) var<uniform> p: Params;

override WG: u32 = 256;

// check_finite, the entry point that runs first: the gradients' finiteness check.
// include: parts/finite_check.wgsl

@compute @workgroup_size(WG)
fn sgd_step(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.n) { return; }
  if (atomicLoad(&flags[p.anyIndex]) != 0u) { return; }
  let g = grad[i] + p.weightDecay * theta[i];
  let b = p.momentum * buf[i] + g;
  buf[i] = b;
  theta[i] = theta[i] - p.lr * b;
}
