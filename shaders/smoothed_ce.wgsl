// Cross-entropy with label smoothing over C classes at every point, the reference's `cal_loss`
// (CrossPoint util.py, smoothing on): target t = one_hot·(1−ε) + (1−one_hot)·ε/(C−1),
// loss = mean over the B·N points of −Σ_c t_c·log_softmax(x)_c.
// Since Σ_c t_c = 1, a point's loss is lse(x) − Σ_c t_c x_c, and its gradient is
// ∂loss/∂x_c = (softmax(x)_c − t_c) / (B·N).
//
// Pass `point` (one thread per point): point loss, gradient and arg-max prediction.
// Pass `mean` (one workgroup): the mean of the point losses in a fixed order (deterministic).

struct Params {
  B: u32, C: u32, N: u32, count: u32,   // count = B·N
  onValue: f32, offValue: f32, gradScale: f32, lossIndex: u32,   // gradScale = scale / (B·N)
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;          // [B, C, N]
@group(0) @binding(1) var<storage, read> labels: array<i32>;          // [B, N] class per point, in [0, C)
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;      // [B, C, N] d(scale·loss)/d logits
@group(0) @binding(3) var<storage, read_write> pointLoss: array<f32>; // [B·N]
@group(0) @binding(4) var<storage, read_write> pred: array<i32>;      // [B, N] first arg-max over C
@group(0) @binding(5) var<storage, read_write> loss: array<f32>;      // loss[lossIndex] = mean
@group(0) @binding(6) var<uniform> p: Params;

override WG: u32 = 64;
const MEAN_WG = 256u;

@compute @workgroup_size(WG)
fn point(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  if (i >= p.count) { return; }
  let b = i / p.N;
  let n = i % p.N;
  let base = b * p.C * p.N + n;  // logits[b, c, n] = logits[base + c·N]
  var mx = logits[base];
  var arg = 0u;
  var sumX = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let x = logits[base + c * p.N];
    sumX += x;
    if (x > mx) { mx = x; arg = c; }
  }
  var sumE = 0.0;
  for (var c = 0u; c < p.C; c++) { sumE += exp(logits[base + c * p.N] - mx); }
  let lse = mx + log(sumE);
  let y = u32(labels[i]);
  // Σ_c t_c x_c = ε/(C−1)·Σ_c x_c + (1−ε − ε/(C−1))·x_y
  let xy = logits[base + y * p.N];
  pointLoss[i] = lse - (p.offValue * sumX + (p.onValue - p.offValue) * xy);
  pred[i] = i32(arg);
  for (var c = 0u; c < p.C; c++) {
    var t = p.offValue;
    if (c == y) { t = p.onValue; }
    grad[base + c * p.N] = (exp(logits[base + c * p.N] - lse) - t) * p.gradScale;
  }
}

var<workgroup> partial: array<f32, MEAN_WG>;

@compute @workgroup_size(MEAN_WG)
fn mean(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < p.count; i += MEAN_WG) { s += pointLoss[i]; }
  partial[lid] = s;
  workgroupBarrier();
  for (var half = MEAN_WG / 2u; half > 0u; half /= 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u) { loss[p.lossIndex] = partial[0] / f32(p.count); }
}
