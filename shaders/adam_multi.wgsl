// Multi-tensor Adam: the update of adam.wgsl (PyTorch's torch.optim.Adam, weight decay added to the
// gradient), for several tensors per dispatch instead of one. The tensors' parameters and gradients
// stay in their own buffers (every layer binds them); each dispatch binds up to STEP_SLOTS tensors
// side by side (CHECK_SLOTS for the finiteness check, which binds only gradients), within WebGPU's
// baseline of 8 storage buffers per stage. Both moments of every tensor live in one packed buffer.
// A uniform table maps the dispatch's workgroups to its tensors: slot s owns workgroups
// [first_s, first_s + ceil(n_s / WG)), so each workgroup updates WG elements of one tensor.
//
// Expressions are those of adam.wgsl, in the same order, so both paths give the same bits.

struct Hyper {
  lr: f32, beta1: f32, beta2: f32, eps: f32,
  weightDecay: f32, bc1: f32, sqrtBc2: f32, anyIndex: u32,  // bc1 = 1 − β1ᵗ, sqrtBc2 = √(1 − β2ᵗ)
  vOffset: u32, _p0: u32, _p1: u32, _p2: u32,               // vOffset: where v starts in `moments`
}

// Per slot: x = n (elements; 0 for an unused slot), y = its first workgroup in this dispatch,
// z = its offset in `moments` (m at z, v at vOffset + z), w = its tensor index (its flags slot).
struct Slots { e: array<vec4u, 7> }

@group(0) @binding(0) var<storage, read_write> theta0: array<f32>;  // [n_0] parameters of slot 0
@group(0) @binding(1) var<storage, read_write> theta1: array<f32>;
@group(0) @binding(2) var<storage, read_write> theta2: array<f32>;
@group(0) @binding(3) var<storage, read> grad0: array<f32>;          // [n_0] gradients of slot 0
@group(0) @binding(4) var<storage, read> grad1: array<f32>;
@group(0) @binding(5) var<storage, read> grad2: array<f32>;
@group(0) @binding(6) var<storage, read> grad3: array<f32>;
@group(0) @binding(7) var<storage, read> grad4: array<f32>;
@group(0) @binding(8) var<storage, read> grad5: array<f32>;
@group(0) @binding(9) var<storage, read> grad6: array<f32>;
// [2·total]: m of every tensor, then v of every tensor, each at the tensor's offset.
@group(0) @binding(10) var<storage, read_write> moments: array<f32>;
// [tensors + 1]: flags[t] = 1 when tensor t's gradient has a non-finite value; flags[anyIndex] = OR of all.
@group(0) @binding(11) var<storage, read_write> flags: array<atomic<u32>>;
@group(0) @binding(12) var<uniform> h: Hyper;
@group(0) @binding(13) var<uniform> slots: Slots;

override WG: u32 = 256;
// How many slots the step and the check fill (the number of theta / grad bindings they use).
const STEP_SLOTS: u32 = 3u;
const CHECK_SLOTS: u32 = 7u;

// include: parts/is_finite.wgsl

// The slot that owns workgroup w: the last used slot whose first workgroup is at most w.
fn slotOf(w: u32, count: u32) -> u32 {
  var s = 0u;
  for (var t = 1u; t < count; t++) {
    if (slots.e[t].x > 0u && slots.e[t].y <= w) { s = t; }
  }
  return s;
}

// Flags slot s's tensor when g is not finite.
fn flagIfBad(e: vec4u, g: f32) {
  if (!isFinite(g)) {
    atomicOr(&flags[e.w], 1u);
    atomicOr(&flags[h.anyIndex], 1u);
  }
}

@compute @workgroup_size(WG)
fn check_finite_multi(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                      @builtin(local_invocation_index) lid: u32) {
  let w = foldedGroup(wid, nwg);
  let s = slotOf(w, CHECK_SLOTS);
  let e = slots.e[s];
  let i = (w - e.y) * WG + lid;
  if (i >= e.x) { return; }
  // One branch per slot, each with its own binding: every thread of a workgroup takes the same one.
  if (s == 0u) { flagIfBad(e, grad0[i]); }
  else if (s == 1u) { flagIfBad(e, grad1[i]); }
  else if (s == 2u) { flagIfBad(e, grad2[i]); }
  else if (s == 3u) { flagIfBad(e, grad3[i]); }
  else if (s == 4u) { flagIfBad(e, grad4[i]); }
  else if (s == 5u) { flagIfBad(e, grad5[i]); }
  else { flagIfBad(e, grad6[i]); }
}

// The updated parameter from θ and g at element i of slot e; writes both moments.
fn update(e: vec4u, i: u32, th: f32, grad: f32) -> f32 {
  let mIndex = e.z + i;
  let vIndex = h.vOffset + e.z + i;
  let g = grad + h.weightDecay * th;
  let mi = h.beta1 * moments[mIndex] + (1.0 - h.beta1) * g;
  let vi = h.beta2 * moments[vIndex] + (1.0 - h.beta2) * g * g;
  moments[mIndex] = mi;
  moments[vIndex] = vi;
  return th - (h.lr / h.bc1) * mi / (sqrt(vi) / h.sqrtBc2 + h.eps);
}

@compute @workgroup_size(WG)
fn adam_step_multi(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let w = foldedGroup(wid, nwg);
  let s = slotOf(w, STEP_SLOTS);
  let e = slots.e[s];
  let i = (w - e.y) * WG + lid;
  if (i >= e.x) { return; }
  // Skip the whole step when any tensor's gradient was non-finite (every check pass is recorded
  // before the first update pass).
  if (atomicLoad(&flags[h.anyIndex]) != 0u) { return; }
  if (s == 0u) { theta0[i] = update(e, i, theta0[i], grad0[i]); }
  else if (s == 1u) { theta1[i] = update(e, i, theta1[i], grad1[i]); }
  else { theta2[i] = update(e, i, theta2[i], grad2[i]); }
}
