// Conv2d, direct variant: the same three GEMMs as shaders/conv2d.wgsl (forward, input gradient,
// weight gradient), but each thread computes a 4 × 4 register block straight from global memory,
// with no workgroup-memory tiles and no barriers. On CPU adapters (SwiftShader) barriers are
// what costs, and this runs several times faster; on GPUs the tiled kernels win. Same Params and
// bindings as conv2d.wgsl:
//   x: [B, Cin, H, W]   w: [Cout, Cin, KH, KW]   y, dy: [B, Cout, Ho, Wo]   bias: [Cout]

struct Params {
  B: u32, Cin: u32, H: u32, W: u32,
  Cout: u32, Ho: u32, Wo: u32, KH: u32,
  KW: u32, stride: u32, pad: u32, accumulate: u32,
  splitLen: u32, nSplit: u32, hasBias: u32,
}

@group(0) @binding(0) var<storage, read> src0: array<f32>;
@group(0) @binding(1) var<storage, read> src1: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

const R = 4u; // rows (channels) per thread
const C = 4u; // columns (positions or weight taps) per thread
override WG: u32 = 64u;

// y[b, co, oh, ow]: thread = (block of 4 output channels, block of 4 positions n = (b, oh, ow)).
@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let HoWo = p.Ho * p.Wo;
  let N = p.B * HoWo;
  let nb = (N + C - 1u) / C;
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= nb * ((p.Cout + R - 1u) / R)) { return; }
  let m0 = (t / nb) * R;
  let n0 = (t % nb) * C;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = 0.0; }
  var xb: array<u32, 4>;   // x plane base of column j (b·Cin)
  var ih0: array<i32, 4>;
  var iw0: array<i32, 4>;
  for (var j = 0u; j < C; j++) {
    let n = min(n0 + j, N - 1u);
    let pos = n % HoWo;
    xb[j] = (n / HoWo) * p.Cin;
    ih0[j] = i32((pos / p.Wo) * p.stride) - i32(p.pad);
    iw0[j] = i32((pos % p.Wo) * p.stride) - i32(p.pad);
  }
  let taps = p.KH * p.KW;
  for (var ci = 0u; ci < p.Cin; ci++) {
    for (var kh = 0u; kh < p.KH; kh++) {
      for (var kw = 0u; kw < p.KW; kw++) {
        var xv: array<f32, 4>;
        for (var j = 0u; j < C; j++) {
          let ih = ih0[j] + i32(kh);
          let iw = iw0[j] + i32(kw);
          var v = 0.0;
          if (ih >= 0 && ih < i32(p.H) && iw >= 0 && iw < i32(p.W)) {
            v = src0[((xb[j] + ci) * p.H + u32(ih)) * p.W + u32(iw)];
          }
          xv[j] = v;
        }
        let k = ci * taps + kh * p.KW + kw;
        for (var i = 0u; i < R; i++) {
          let m = min(m0 + i, p.Cout - 1u);
          let wv = src1[m * p.Cin * taps + k];
          for (var j = 0u; j < C; j++) { acc[i * C + j] += wv * xv[j]; }
        }
      }
    }
  }
  for (var i = 0u; i < R; i++) {
    let m = m0 + i;
    if (m >= p.Cout) { continue; }
    for (var j = 0u; j < C; j++) {
      let n = n0 + j;
      if (n >= N) { continue; }
      var v = acc[i * C + j];
      if (p.hasBias != 0u) { v += bias[m]; }
      dst[((n / HoWo) * p.Cout + m) * HoWo + n % HoWo] = v;
    }
  }
}

// dx[b, ci, ih, iw] = Σ_co Σ_(kh, kw) w[co, ci, kh, kw] · dy[b, co, oh, ow] over the taps with
// ih = oh·s − pad + kh (and the same for columns): thread = (4 input channels, 4 positions).
@compute @workgroup_size(WG)
fn dgrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let HW = p.H * p.W;
  let N = p.B * HW;
  let nb = (N + C - 1u) / C;
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= nb * ((p.Cin + R - 1u) / R)) { return; }
  let m0 = (t / nb) * R;
  let n0 = (t % nb) * C;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = 0.0; }
  let s = i32(p.stride);
  let taps = p.KH * p.KW;
  for (var j = 0u; j < C; j++) {
    let n = n0 + j;
    if (n >= N) { continue; }
    let b = n / HW;
    let pos = n % HW;
    let ihp = i32(pos / p.W) + i32(p.pad);
    let iwp = i32(pos % p.W) + i32(p.pad);
    for (var kh = 0u; kh < p.KH; kh++) {
      let th = ihp - i32(kh);
      if (th < 0 || th % s != 0 || th / s >= i32(p.Ho)) { continue; }
      let oh = u32(th / s);
      for (var kw = 0u; kw < p.KW; kw++) {
        let tw = iwp - i32(kw);
        if (tw < 0 || tw % s != 0 || tw / s >= i32(p.Wo)) { continue; }
        let ow = u32(tw / s);
        for (var co = 0u; co < p.Cout; co++) {
          let g = src0[((b * p.Cout + co) * p.Ho + oh) * p.Wo + ow];
          for (var i = 0u; i < R; i++) {
            let ci = min(m0 + i, p.Cin - 1u);
            acc[i * C + j] += src1[(co * p.Cin + ci) * taps + kh * p.KW + kw] * g;
          }
        }
      }
    }
  }
  for (var i = 0u; i < R; i++) {
    let ci = m0 + i;
    if (ci >= p.Cin) { continue; }
    for (var j = 0u; j < C; j++) {
      let n = n0 + j;
      if (n >= N) { continue; }
      let idx = ((n / HW) * p.Cin + ci) * HW + n % HW;
      var v = acc[i * C + j];
      if (p.accumulate != 0u) { v += dst[idx]; }
      dst[idx] = v;
    }
  }
}

// dw[co, k] = Σ_r dy[co, r] · Xcol[k, r], r = (b, oh, ow) in order, k = (ci, kh, kw):
// thread = (4 output channels, 4 consecutive k), the whole reduction in one thread.
@compute @workgroup_size(WG)
fn wgrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let taps = p.KH * p.KW;
  let K = p.Cin * taps;
  let kb = (K + C - 1u) / C;
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= kb * ((p.Cout + R - 1u) / R)) { return; }
  let m0 = (t / kb) * R;
  let k0 = (t % kb) * C;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = 0.0; }
  var ci: array<u32, 4>;
  var kh: array<i32, 4>;
  var kw: array<i32, 4>;
  for (var j = 0u; j < C; j++) {
    let k = min(k0 + j, K - 1u);
    ci[j] = k / taps;
    let tt = k % taps;
    kh[j] = i32(tt / p.KW);
    kw[j] = i32(tt % p.KW);
  }
  let HoWo = p.Ho * p.Wo;
  for (var b = 0u; b < p.B; b++) {
    for (var oh = 0u; oh < p.Ho; oh++) {
      let ihb = i32(oh * p.stride) - i32(p.pad);
      for (var ow = 0u; ow < p.Wo; ow++) {
        let iwb = i32(ow * p.stride) - i32(p.pad);
        var xv: array<f32, 4>;
        for (var j = 0u; j < C; j++) {
          let ih = ihb + kh[j];
          let iw = iwb + kw[j];
          var v = 0.0;
          if (ih >= 0 && ih < i32(p.H) && iw >= 0 && iw < i32(p.W)) {
            v = src0[((b * p.Cin + ci[j]) * p.H + u32(ih)) * p.W + u32(iw)];
          }
          xv[j] = v;
        }
        let r = oh * p.Wo + ow;
        for (var i = 0u; i < R; i++) {
          let m = min(m0 + i, p.Cout - 1u);
          let g = src1[(b * p.Cout + m) * HoWo + r];
          for (var j = 0u; j < C; j++) { acc[i * C + j] += g * xv[j]; }
        }
      }
    }
  }
  for (var i = 0u; i < R; i++) {
    let m = m0 + i;
    if (m >= p.Cout) { continue; }
    for (var j = 0u; j < C; j++) {
      let k = k0 + j;
      if (k >= K) { continue; }
      let idx = m * K + k;
      var v = acc[i * C + j];
      if (p.accumulate != 0u) { v += dst[idx]; }
      dst[idx] = v;
    }
  }
}
