// Batched matmul: C[b] = alpha · op(A[b]) · op(B[b]) (+ bias) (+ C[b] if accumulate)
// op(A) is M×K: A stored [M, K] row-major, or [K, M] when TRANS_A.
// op(B) is K×N: B stored [K, N] row-major, or [N, K] when TRANS_B.
// C: [M, N] row-major. Batch strides may be 0 (broadcast, e.g. one weight matrix for all clouds).
// bias: [M] added per row (BIAS = 1) or [N] per column (BIAS = 2).
//
// Entry points:
//   naive         one output per thread (the baseline the others are measured against)
//   blocked       each thread computes a 4×4 block of C from scalar global loads (any shape)
//   blocked_vec4  the same with vec4 loads of A and B (needs the contiguous extents of A and B,
//                 their offsets and batch strides to be multiples of 4; the launcher checks)
//   tiled         4×4 per thread, A and B tiles staged in workgroup memory (any shape)
//   wide_vec4     an 8×8 block per thread from vec4 loads (blocked_vec4's alignment)
// The blocked kernels cover a (4·WG_Y)×(4·WG_X) tile of C per workgroup. Workgroups are numbered
// linearly over (column tile, row tile, batch), so any grid folds into x, y, z.

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  strideA: u32, strideB: u32, strideC: u32, alpha: f32,
  offsetA: u32, offsetB: u32, offsetC: u32, accumulate: u32,
  tilesN: u32, tilesM: u32,
}

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;
// The same buffers seen as vec4 (only blocked_vec4 uses these; bindings may alias across entry points).
@group(0) @binding(0) var<storage, read> A4: array<vec4f>;
@group(0) @binding(1) var<storage, read> B4: array<vec4f>;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override BIAS: u32 = 0u;
// Threads per workgroup along N (x) and M (y) for the blocked kernels.
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;
// Depth of the K slices the tiled kernel stages in workgroup memory (a multiple of 4).
override BK: u32 = 16u;

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

// ---- shared by the blocked kernels ----

// Which 4×4 block of C this thread owns: (first column n0, first row m0, batch b).
struct Block { n0: u32, m0: u32, b: u32, valid: bool }

// The workgroup's (column tile, row tile, batch) from its linear index; uniform per workgroup.
fn tileOf(wid: vec3u, nwg: vec3u) -> vec3u {
  let g = wid.x + nwg.x * (wid.y + nwg.y * wid.z);
  let t = g / p.tilesN;
  return vec3u(g % p.tilesN, t % p.tilesM, t / p.tilesM);
}

fn blockOf(wid: vec3u, nwg: vec3u, lid: vec3u) -> Block {
  let t = tileOf(wid, nwg);
  return Block((t.x * WG_X + lid.x) * 4u, (t.y * WG_Y + lid.y) * 4u, t.z, t.z < p.batch);
}

// acc[i][j] is C[m0 + i, n0 + j] before alpha, bias and accumulate.
fn storeBlock(blk: Block, acc: array<vec4f, 4>) {
  let c0 = p.offsetC + blk.b * p.strideC;
  for (var i = 0u; i < 4u; i++) {
    let m = blk.m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = blk.n0 + j;
      if (n >= p.N) { break; }
      var v = p.alpha * acc[i][j];
      if (BIAS == 1u) { v += bias[m]; }
      if (BIAS == 2u) { v += bias[n]; }
      let ci = c0 + m * p.N + n;
      if (p.accumulate != 0u) { v += C[ci]; }
      C[ci] = v;
    }
  }
}

// Element (row r, depth k) of op(A) is A[aBase(r) + k·aStepK]; rows are clamped into range so
// loads never branch (the results of clamped rows are never stored).
fn aStepK() -> u32 { if (TRANS_A) { return p.M; } return 1u; }
fn aBase(a0: u32, r: u32) -> u32 {
  let rc = min(r, p.M - 1u);
  if (TRANS_A) { return a0 + rc; }
  return a0 + rc * p.K;
}
// Element (depth k, column c) of op(B) is B[bBase(c) + k·bStepK].
fn bStepK() -> u32 { if (TRANS_B) { return 1u; } return p.N; }
fn bBase(b0: u32, c: u32) -> u32 {
  let cc = min(c, p.N - 1u);
  if (TRANS_B) { return b0 + cc * p.K; }
  return b0 + cc;
}

// acc += a·b for one 4-deep slice: a[kk] = op(A)[m0..m0+3, k+kk], b[kk] = op(B)[k+kk, n0..n0+3].
// Written out with constant indices: SwiftShader keeps these in registers, a loop over kk would not.
fn fma4(acc: ptr<function, array<vec4f, 4>>, a: mat4x4f, b: mat4x4f) {
  (*acc)[0] += a[0].x * b[0] + a[1].x * b[1] + a[2].x * b[2] + a[3].x * b[3];
  (*acc)[1] += a[0].y * b[0] + a[1].y * b[1] + a[2].y * b[2] + a[3].y * b[3];
  (*acc)[2] += a[0].z * b[0] + a[1].z * b[1] + a[2].z * b[2] + a[3].z * b[3];
  (*acc)[3] += a[0].w * b[0] + a[1].w * b[1] + a[2].w * b[2] + a[3].w * b[3];
}

// acc += a ⊗ b for one k: a = op(A)[m0..m0+3, k], b = op(B)[k, n0..n0+3].
fn fma1(acc: ptr<function, array<vec4f, 4>>, a: vec4f, b: vec4f) {
  (*acc)[0] += a.x * b;
  (*acc)[1] += a.y * b;
  (*acc)[2] += a.z * b;
  (*acc)[3] += a.w * b;
}

@compute @workgroup_size(WG_X, WG_Y)
fn blocked(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_id) lid: vec3u) {
  let blk = blockOf(wid, nwg, lid);
  if (!blk.valid || blk.m0 >= p.M || blk.n0 >= p.N) { return; }
  let a0 = p.offsetA + blk.b * p.strideA;
  let b0 = p.offsetB + blk.b * p.strideB;
  let sa = aStepK();
  let sb = bStepK();
  // ia[i] indexes op(A)[m0 + i, k], ib[j] indexes op(B)[k, n0 + j]; both advance with k.
  var ia = vec4u(aBase(a0, blk.m0), aBase(a0, blk.m0 + 1u), aBase(a0, blk.m0 + 2u), aBase(a0, blk.m0 + 3u));
  var ib = vec4u(bBase(b0, blk.n0), bBase(b0, blk.n0 + 1u), bBase(b0, blk.n0 + 2u), bBase(b0, blk.n0 + 3u));
  var acc: array<vec4f, 4>;
  var k = 0u;
  for (; k + 4u <= p.K; k += 4u) {
    let a = mat4x4f(
      vec4f(A[ia.x], A[ia.y], A[ia.z], A[ia.w]),
      vec4f(A[ia.x + sa], A[ia.y + sa], A[ia.z + sa], A[ia.w + sa]),
      vec4f(A[ia.x + 2u * sa], A[ia.y + 2u * sa], A[ia.z + 2u * sa], A[ia.w + 2u * sa]),
      vec4f(A[ia.x + 3u * sa], A[ia.y + 3u * sa], A[ia.z + 3u * sa], A[ia.w + 3u * sa]));
    let b = mat4x4f(
      vec4f(B[ib.x], B[ib.y], B[ib.z], B[ib.w]),
      vec4f(B[ib.x + sb], B[ib.y + sb], B[ib.z + sb], B[ib.w + sb]),
      vec4f(B[ib.x + 2u * sb], B[ib.y + 2u * sb], B[ib.z + 2u * sb], B[ib.w + 2u * sb]),
      vec4f(B[ib.x + 3u * sb], B[ib.y + 3u * sb], B[ib.z + 3u * sb], B[ib.w + 3u * sb]));
    fma4(&acc, a, b);
    ia += vec4u(4u * sa);
    ib += vec4u(4u * sb);
  }
  for (; k < p.K; k++) {
    fma1(&acc, vec4f(A[ia.x], A[ia.y], A[ia.z], A[ia.w]), vec4f(B[ib.x], B[ib.y], B[ib.z], B[ib.w]));
    ia += vec4u(sa);
    ib += vec4u(sb);
  }
  storeBlock(blk, acc);
}

// Columns a[kk] = op(A)[m0..m0+3, k+kk] from vec4 loads (A4 indices are element indices / 4).
fn loadA4(a0: u32, m0: u32, k: u32) -> mat4x4f {
  if (TRANS_A) {
    // A [K, M]: one vec4 per k covers the 4 rows (M is a multiple of 4, so m0 + 3 < M).
    let i = (a0 + k * p.M + m0) / 4u;
    let s = p.M / 4u;
    return mat4x4f(A4[i], A4[i + s], A4[i + 2u * s], A4[i + 3u * s]);
  }
  // A [M, K]: one vec4 per row covers 4 k; rows past M are clamped.
  let r = min(vec4u(m0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.M - 1u));
  let i = (vec4u(a0 + k) + r * p.K) / 4u;
  return transpose(mat4x4f(A4[i.x], A4[i.y], A4[i.z], A4[i.w]));
}

// Columns b[kk] = op(B)[k+kk, n0..n0+3] from vec4 loads.
fn loadB4(b0: u32, n0: u32, k: u32) -> mat4x4f {
  if (TRANS_B) {
    // B [N, K]: one vec4 per column covers 4 k; columns past N are clamped.
    let c = min(vec4u(n0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.N - 1u));
    let i = (vec4u(b0 + k) + c * p.K) / 4u;
    return transpose(mat4x4f(B4[i.x], B4[i.y], B4[i.z], B4[i.w]));
  }
  // B [K, N]: one vec4 per k covers the 4 columns (N is a multiple of 4).
  let i = (b0 + k * p.N + n0) / 4u;
  let s = p.N / 4u;
  return mat4x4f(B4[i], B4[i + s], B4[i + 2u * s], B4[i + 3u * s]);
}

@compute @workgroup_size(WG_X, WG_Y)
fn blocked_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_id) lid: vec3u) {
  let blk = blockOf(wid, nwg, lid);
  if (!blk.valid || blk.m0 >= p.M || blk.n0 >= p.N) { return; }
  let a0 = p.offsetA + blk.b * p.strideA;
  let b0 = p.offsetB + blk.b * p.strideB;
  var acc: array<vec4f, 4>;
  var k = 0u;
  for (; k + 4u <= p.K; k += 4u) {
    fma4(&acc, loadA4(a0, blk.m0, k), loadB4(b0, blk.n0, k));
  }
  // A remainder only happens when neither operand runs along K in memory (TRANS_A, !TRANS_B).
  if (TRANS_A && !TRANS_B) {
    for (; k < p.K; k++) {
      fma1(&acc, A4[(a0 + k * p.M + blk.m0) / 4u], B4[(b0 + k * p.N + blk.n0) / 4u]);
    }
  }
  storeBlock(blk, acc);
}

// ---- wide: an 8×8 block of C per thread, four 4×4 sub-blocks sharing their loads ----

// Each 4-deep slice loads two column groups of A and two row groups of B (16 vec4 loads) for
// 256 multiply-adds, twice the blocked kernels' 64 per 8 loads. Where loads cost more than
// arithmetic (a CPU adapter: SwiftShader gathers each lane's load separately) this halves the
// loads per output; the 64 accumulators may spill on GPUs with few registers (the probe decides).
// Needs the same vec4 alignment as blocked_vec4 (the launcher falls back to blocked otherwise).
// A workgroup covers (8·WG_Y) rows × (8·WG_X) columns.
@compute @workgroup_size(WG_X, WG_Y)
fn wide_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_id) lid: vec3u) {
  let t = tileOf(wid, nwg);
  let n0 = (t.x * WG_X + lid.x) * 8u;
  let m0 = (t.y * WG_Y + lid.y) * 8u;
  if (t.z >= p.batch || m0 >= p.M || n0 >= p.N) { return; }
  let a0 = p.offsetA + t.z * p.strideA;
  let b0 = p.offsetB + t.z * p.strideB;
  // The second row / column group; where it lies past the edge, the first is loaded again (never
  // stored), so every load stays in range.
  let m1 = select(m0, m0 + 4u, m0 + 4u < p.M);
  let n1 = select(n0, n0 + 4u, n0 + 4u < p.N);
  var c00: array<vec4f, 4>;
  var c01: array<vec4f, 4>;
  var c10: array<vec4f, 4>;
  var c11: array<vec4f, 4>;
  var k = 0u;
  for (; k + 4u <= p.K; k += 4u) {
    let a0k = loadA4(a0, m0, k);
    let a1k = loadA4(a0, m1, k);
    let b0k = loadB4(b0, n0, k);
    let b1k = loadB4(b0, n1, k);
    fma4(&c00, a0k, b0k);
    fma4(&c01, a0k, b1k);
    fma4(&c10, a1k, b0k);
    fma4(&c11, a1k, b1k);
  }
  if (TRANS_A && !TRANS_B) {
    for (; k < p.K; k++) {
      let a0k = A4[(a0 + k * p.M + m0) / 4u];
      let a1k = A4[(a0 + k * p.M + m1) / 4u];
      let b0k = B4[(b0 + k * p.N + n0) / 4u];
      let b1k = B4[(b0 + k * p.N + n1) / 4u];
      fma1(&c00, a0k, b0k);
      fma1(&c01, a0k, b1k);
      fma1(&c10, a1k, b0k);
      fma1(&c11, a1k, b1k);
    }
  }
  // storeBlock skips rows and columns past the edge.
  storeBlock(Block(n0, m0, t.z, true), c00);
  if (n0 + 4u < p.N) { storeBlock(Block(n0 + 4u, m0, t.z, true), c01); }
  if (m0 + 4u < p.M) {
    storeBlock(Block(n0, m0 + 4u, t.z, true), c10);
    if (n0 + 4u < p.N) { storeBlock(Block(n0 + 4u, m0 + 4u, t.z, true), c11); }
  }
}

// ---- tiled: the workgroup's A and B slices staged in workgroup memory ----

// As[kk·WG_Y + r] = op(A)[tile rows 4r..4r+3, k0 + kk]; Bs[kk·WG_X + c] = op(B)[k0 + kk, tile cols 4c..4c+3].
var<workgroup> As: array<vec4f, BK * WG_Y>;
var<workgroup> Bs: array<vec4f, BK * WG_X>;

@compute @workgroup_size(WG_X, WG_Y)
fn tiled(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let t = tileOf(wid, nwg);
  // Past the last batch (a folded grid overshoots): uniform per workgroup, so barriers stay legal.
  if (t.z >= p.batch) { return; }
  let BM = 4u * WG_Y;
  let BN = 4u * WG_X;
  let tileM = t.y * BM;
  let tileN = t.x * BN;
  let a0 = p.offsetA + t.z * p.strideA;
  let b0 = p.offsetB + t.z * p.strideB;
  let NT = WG_X * WG_Y;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    // Consecutive threads read consecutive addresses of the stored layout; out of range reads 0.
    for (var e = li; e < BK * BM; e += NT) {
      var r: u32;
      var kk: u32;
      if (TRANS_A) { kk = e / BM; r = e % BM; } else { r = e / BK; kk = e % BK; }
      let m = tileM + r;
      let k = k0 + kk;
      var v = 0.0;
      if (m < p.M && k < p.K) {
        if (TRANS_A) { v = A[a0 + k * p.M + m]; } else { v = A[a0 + m * p.K + k]; }
      }
      As[kk * WG_Y + r / 4u][r % 4u] = v;
    }
    for (var e = li; e < BK * BN; e += NT) {
      var c: u32;
      var kk: u32;
      if (TRANS_B) { c = e / BK; kk = e % BK; } else { kk = e / BN; c = e % BN; }
      let n = tileN + c;
      let k = k0 + kk;
      var v = 0.0;
      if (n < p.N && k < p.K) {
        if (TRANS_B) { v = B[b0 + n * p.K + k]; } else { v = B[b0 + k * p.N + n]; }
      }
      Bs[kk * WG_X + c / 4u][c % 4u] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk += 4u) {
      let ia = kk * WG_Y + lid.y;
      let ib = kk * WG_X + lid.x;
      let a = mat4x4f(As[ia], As[ia + WG_Y], As[ia + 2u * WG_Y], As[ia + 3u * WG_Y]);
      let b = mat4x4f(Bs[ib], Bs[ib + WG_X], Bs[ib + 2u * WG_X], Bs[ib + 3u * WG_X]);
      fma4(&acc, a, b);
    }
    workgroupBarrier();
  }
  let blk = Block(tileN + lid.x * 4u, tileM + lid.y * 4u, t.z, true);
  if (blk.m0 < p.M && blk.n0 < p.N) { storeBlock(blk, acc); }
}
