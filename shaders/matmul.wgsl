// Batched matmul: C[b] = alpha · op(A[b]) · op(B[b]) (+ bias) (+ C[b] if accumulate)
// op(A) is M×K: A stored [M, K] row-major, or [K, M] when TRANS_A.
// op(B) is K×N: B stored [K, N] row-major, or [N, K] when TRANS_B.
// C: [M, N] row-major. Batch strides may be 0 (broadcast, e.g. one weight matrix for all clouds).
// bias: [M] added per row (BIAS = 1) or [N] per column (BIAS = 2).
// This is the simple one-output-per-thread kernel (the reference point for the blocked one).

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  strideA: u32, strideB: u32, strideC: u32, alpha: f32,
  offsetA: u32, offsetB: u32, offsetC: u32, accumulate: u32,
}

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override BIAS: u32 = 0u;

@compute @workgroup_size(16, 16)
fn naive(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let m = gid.y;
  let b = gid.z;
  if (m >= p.M || n >= p.N || b >= p.batch) { return; }
  let a0 = p.offsetA + b * p.strideA;
  let b0 = p.offsetB + b * p.strideB;
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) {
    var av: f32;
    var bv: f32;
    if (TRANS_A) { av = A[a0 + k * p.M + m]; } else { av = A[a0 + m * p.K + k]; }
    if (TRANS_B) { bv = B[b0 + n * p.K + k]; } else { bv = B[b0 + k * p.N + n]; }
    acc += av * bv;
  }
  var v = p.alpha * acc;
  if (BIAS == 1u) { v += bias[m]; }
  if (BIAS == 2u) { v += bias[n]; }
  let ci = p.offsetC + b * p.strideC + m * p.N + n;
  if (p.accumulate != 0u) { v += C[ci]; }
  C[ci] = v;
}
