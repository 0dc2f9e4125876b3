// Conv2d with PyTorch semantics (cross-correlation, zero padding, dilation 1, groups 1) as an
// implicit GEMM: the im2col matrix is never stored, its tiles are gathered straight into
// workgroup memory.
//   x: [B, Cin, H, W]   w: [Cout, Cin, KH, KW]   y, dy: [B, Cout, Ho, Wo]   bias: [Cout]
// forward: Y[co, n]  = Σ_k W[co, k] · Xcol[k, n]    n = (b, oh, ow), k = (ci, kh, kw)
// dgrad:   DX[ci, n] = Σ_k W[co, ci, kh, kw] · DY[b, co, oh, ow]   n = (b, ih, iw) of one stride
//          phase (ih mod s, iw mod s), k = (co, kh, kw) over the taps that phase can reach
// wgrad:   DW[co, k] = Σ_r DY[co, r] · Xcol[k, r]   r = (b, oh, ow), cut into fixed chunks
//          (splits) whose partial sums wgradReduce adds in split order: no atomics anywhere.
// Every GEMM entry computes a TM × TN tile with WG_M × WG_N threads, each RM × RN outputs at rows
// ty + WG_M·i and columns tx + WG_N·j (neighbouring threads write neighbouring addresses).

struct Params {
  B: u32, Cin: u32, H: u32, W: u32,
  Cout: u32, Ho: u32, Wo: u32, KH: u32,
  KW: u32, stride: u32, pad: u32, accumulate: u32,
  splitLen: u32, nSplit: u32, hasBias: u32,
}

// Bindings by entry point:
//   forward:     src0 = x,        src1 = w,  dst = y, bias
//   dgrad:       src0 = dy,       src1 = w,  dst = dx
//   wgrad:       src0 = x,        src1 = dy, dst = dw (nSplit = 1) or partials [nSplit, Cout, Cin·KH·KW]
//   wgradReduce: src0 = partials,            dst = dw
//   biasGrad:    src0 = dy,                  dst = db
@group(0) @binding(0) var<storage, read> src0: array<f32>;
@group(0) @binding(1) var<storage, read> src1: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

override WG_M: u32 = 16u;
override WG_N: u32 = 16u;
override TK: u32 = 8u;
// Function-scope arrays need constant sizes, so the per-thread block is fixed.
const RM = 4u;
const RN = 4u;
override TM: u32 = WG_M * RM;
override TN: u32 = WG_N * RN;
override NT: u32 = WG_M * WG_N;

var<workgroup> As: array<f32, TK * TM>; // [TK, TM]
var<workgroup> Bs: array<f32, TK * TN>; // [TK, TN]
var<private> acc: array<f32, 16>;       // [RM, RN]
var<workgroup> red: array<f32, 256>;

fn clearAcc() {
  for (var i = 0u; i < RM * RN; i++) { acc[i] = 0.0; }
}

// acc += As[:, rows]ᵀ · Bs[:, cols] over one K tile, k in increasing order: waits for the whole
// workgroup's staging first, and for every thread's reads before the tiles are staged again.
fn multiplyTile(tx: u32, ty: u32) {
  workgroupBarrier();
  for (var k = 0u; k < TK; k++) {
    var a: array<f32, RM>;
    var b: array<f32, RN>;
    for (var i = 0u; i < RM; i++) { a[i] = As[k * TM + ty + WG_M * i]; }
    for (var j = 0u; j < RN; j++) { b[j] = Bs[k * TN + tx + WG_N * j]; }
    for (var i = 0u; i < RM; i++) {
      for (var j = 0u; j < RN; j++) { acc[i * RN + j] += a[i] * b[j]; }
    }
  }
  workgroupBarrier();
}

// The output row and column of acc[e] (e = i·RN + j): rows m0 + ty + WG_M·i, columns n0 + tx + WG_N·j.
fn tileAt(m0: u32, n0: u32, tx: u32, ty: u32, e: u32) -> vec2u {
  return vec2u(m0 + ty + WG_M * (e / RN), n0 + tx + WG_N * (e % RN));
}

// Xcol[k, (b, oh, ow)] of forward and wgrad: x[b, ci, ih0 + kh, iw0 + kw] with k = (ci, kh, kw),
// 0 in the padding. plane0 = b·Cin; ih0, iw0: the output position's top-left input row and column.
fn xcol(plane0: u32, ih0: i32, iw0: i32, k: u32, taps: u32) -> f32 {
  let ci = k / taps;
  let t = k - ci * taps;
  let kh = t / p.KW;
  let ih = ih0 + i32(kh);
  let iw = iw0 + i32(t - kh * p.KW);
  if (ih >= 0 && ih < i32(p.H) && iw >= 0 && iw < i32(p.W)) {
    return src0[((plane0 + ci) * p.H + u32(ih)) * p.W + u32(iw)];
  }
  return 0.0;
}

@compute @workgroup_size(NT)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tx = lid % WG_N;
  let ty = lid / WG_N;
  let M = p.Cout;
  let HoWo = p.Ho * p.Wo;
  let N = p.B * HoWo;
  let taps = p.KH * p.KW;
  let K = p.Cin * taps;
  let m0 = wid.y * TM;
  let n0 = wid.x * TN;
  // This thread gathers column ln of every Xcol tile, so its output position is decoded once.
  let ln = lid % TN;
  let n = n0 + ln;
  let pos = n % HoWo;
  let ih0 = i32((pos / p.Wo) * p.stride) - i32(p.pad);
  let iw0 = i32((pos % p.Wo) * p.stride) - i32(p.pad);
  let xPlane0 = (n / HoWo) * p.Cin;
  clearAcc();
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var i = lid; i < TM * TK; i += NT) {
      let kk = i % TK;
      let mm = i / TK;
      var v = 0.0;
      if (m0 + mm < M && k0 + kk < K) { v = src1[(m0 + mm) * K + k0 + kk]; }
      As[kk * TM + mm] = v;
    }
    for (var kk = lid / TN; kk < TK; kk += NT / TN) {
      let k = k0 + kk;
      var v = 0.0;
      if (n < N && k < K) { v = xcol(xPlane0, ih0, iw0, k, taps); }
      Bs[kk * TN + ln] = v;
    }
    multiplyTile(tx, ty);
  }
  for (var e = 0u; e < RM * RN; e++) {
    let at = tileAt(m0, n0, tx, ty, e);
    let m = at.x;
    let nj = at.y;
    if (m >= M || nj >= N) { continue; }
    var v = acc[e];
    if (p.hasBias != 0u) { v += bias[m]; }
    dst[((nj / HoWo) * M + m) * HoWo + nj % HoWo] = v;
  }
}

@compute @workgroup_size(NT)
fn dgrad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tx = lid % WG_N;
  let ty = lid / WG_N;
  let s = p.stride;
  // Stride phase of this workgroup: input rows ih = ihq·s + phH only meet kernel rows
  // kh = kh0 + jh·s (kh0 = (phH + pad) mod s), at output row oh = ihq + dH − jh. The other
  // taps are structurally zero and never visited. Likewise for columns.
  let phH = wid.z / s;
  let phW = wid.z % s;
  let Hq = (p.H + s - 1u - phH) / s;
  let Wq = (p.W + s - 1u - phW) / s;
  let kh0 = (phH + p.pad) % s;
  let kw0 = (phW + p.pad) % s;
  let dH = (phH + p.pad) / s;
  let dW = (phW + p.pad) / s;
  let nKh = (p.KH + s - 1u - kh0) / s;
  let nKw = (p.KW + s - 1u - kw0) / s;
  let taps = nKh * nKw;
  let M = p.Cin;
  let HqWq = Hq * Wq;
  let N = p.B * HqWq;
  let K = p.Cout * taps; // 0 when no tap reaches this phase (e.g. 1×1 stride 2): dx is 0 there
  let m0 = wid.y * TM;
  let n0 = wid.x * TN;
  let ln = lid % TN;
  let n = n0 + ln;
  let q = n % HqWq;
  let ohBase = i32(q / Wq + dH);
  let owBase = i32(q % Wq + dW);
  let dyPlane0 = (n / HqWq) * p.Cout;
  clearAcc();
  for (var k0 = 0u; k0 < K; k0 += TK) {
    // W gathered transposed: As[kk, mm] = w[co, ci, kh, kw] with ci = m0 + mm, (co, kh, kw) = k.
    for (var i = lid; i < TM * TK; i += NT) {
      let kk = i % TK;
      let mm = i / TK;
      let k = k0 + kk;
      var v = 0.0;
      if (m0 + mm < M && k < K) {
        let co = k / taps;
        let t = k - co * taps;
        let jh = t / nKw;
        let kh = kh0 + s * jh;
        let kw = kw0 + s * (t - jh * nKw);
        v = src1[((co * p.Cin + m0 + mm) * p.KH + kh) * p.KW + kw];
      }
      As[kk * TM + mm] = v;
    }
    for (var kk = lid / TN; kk < TK; kk += NT / TN) {
      let k = k0 + kk;
      var v = 0.0;
      if (n < N && k < K) {
        let co = k / taps;
        let t = k - co * taps;
        let jh = t / nKw;
        let oh = ohBase - i32(jh);
        let ow = owBase - i32(t - jh * nKw);
        if (oh >= 0 && oh < i32(p.Ho) && ow >= 0 && ow < i32(p.Wo)) {
          v = src0[((dyPlane0 + co) * p.Ho + u32(oh)) * p.Wo + u32(ow)];
        }
      }
      Bs[kk * TN + ln] = v;
    }
    multiplyTile(tx, ty);
  }
  for (var e = 0u; e < RM * RN; e++) {
    let at = tileAt(m0, n0, tx, ty, e);
    let m = at.x;
    let nj = at.y;
    if (m >= M || nj >= N) { continue; }
    let qj = nj % HqWq;
    let ih = (qj / Wq) * s + phH;
    let iw = (qj % Wq) * s + phW;
    let idx = (((nj / HqWq) * M + m) * p.H + ih) * p.W + iw;
    var v = acc[e];
    if (p.accumulate != 0u) { v += dst[idx]; }
    dst[idx] = v;
  }
}

@compute @workgroup_size(NT)
fn wgrad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tx = lid % WG_N;
  let ty = lid / WG_N;
  let M = p.Cout;
  let taps = p.KH * p.KW;
  let N = p.Cin * taps;
  let HoWo = p.Ho * p.Wo;
  let m0 = wid.y * TM;
  let n0 = wid.x * TN;
  let r0 = wid.z * p.splitLen;
  let r1 = min(p.B * HoWo, r0 + p.splitLen);
  // This thread gathers reduction row kk of every tile, so each tile decodes one (b, oh, ow).
  let kk = lid % TK;
  clearAcc();
  for (var rt = r0; rt < r1; rt += TK) {
    let r = rt + kk;
    let pos = r % HoWo;
    let b = r / HoWo;
    let ihb = i32((pos / p.Wo) * p.stride) - i32(p.pad);
    let iwb = i32((pos % p.Wo) * p.stride) - i32(p.pad);
    for (var mm = lid / TK; mm < TM; mm += NT / TK) {
      var v = 0.0;
      if (r < r1 && m0 + mm < M) { v = src1[(b * M + m0 + mm) * HoWo + pos]; }
      As[kk * TM + mm] = v;
    }
    for (var nn = lid / TK; nn < TN; nn += NT / TK) {
      let c = n0 + nn;
      var v = 0.0;
      if (r < r1 && c < N) { v = xcol(b * p.Cin, ihb, iwb, c, taps); }
      Bs[kk * TN + nn] = v;
    }
    multiplyTile(tx, ty);
  }
  for (var e = 0u; e < RM * RN; e++) {
    let at = tileAt(m0, n0, tx, ty, e);
    let m = at.x;
    let c = at.y;
    if (m >= M || c >= N) { continue; }
    let idx = (wid.z * M + m) * N + c;
    var v = acc[e];
    // With splits the pass writes partials; accumulating into dw is wgradReduce's job.
    if (p.accumulate != 0u && p.nSplit == 1u) { v += dst[idx]; }
    dst[idx] = v;
  }
}

// dw[i] = Σ_split partials[split, i] in split order (+ dw[i] when accumulating).
@compute @workgroup_size(256)
fn wgradReduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let count = p.Cout * p.Cin * p.KH * p.KW;
  let i = foldedId(wid, nwg, 256u, lid);
  if (i >= count) { return; }
  var v = 0.0;
  for (var sp = 0u; sp < p.nSplit; sp++) { v += src0[sp * count + i]; }
  if (p.accumulate != 0u) { v += dst[i]; }
  dst[i] = v;
}

// db[co] = Σ_b Σ_(oh, ow) dy[b, co, oh, ow]: one workgroup per channel, each thread a strided
// slice in order, then a fixed tree over the 256 partial sums.
@compute @workgroup_size(256)
fn biasGrad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let co = wid.x;
  let HoWo = p.Ho * p.Wo;
  var v = 0.0;
  for (var r = lid; r < p.B * HoWo; r += 256u) { v += src0[((r / HoWo) * p.Cout + co) * HoWo + r % HoWo]; }
  red[lid] = v;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half >>= 1u) {
    if (lid < half) { red[lid] += red[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var total = red[0];
    if (p.accumulate != 0u) { total += dst[co]; }
    dst[co] = total;
  }
}
