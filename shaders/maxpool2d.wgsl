// MaxPool2d with PyTorch semantics (ceil_mode false, dilation 1, padding never wins).
//   x, dx: [B, C, H, W]   y, dy, argmax: [B, C, Ho, Wo]
// argmax holds the flat index ih·W + iw within the H×W plane, as PyTorch's return_indices.
// forward: one thread per output; the window is scanned row-major and only a strictly larger
//          value replaces the best, so the first of equal maxima wins (a NaN always wins).
// backward: one thread per input element gathers dy from every output whose window covers it
//          and whose argmax names it, in (oh, ow) order: a fixed summation order, no atomics.

struct Params {
  B: u32, C: u32, H: u32, W: u32,
  Ho: u32, Wo: u32, kernel: u32, stride: u32,
  pad: u32, accumulate: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> argmax: array<i32>;
@group(0) @binding(3) var<uniform> p: Params;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read> argmaxIn: array<i32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

override WG: u32 = 256u;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  let HoWo = p.Ho * p.Wo;
  if (i >= p.B * p.C * HoWo) { return; }
  let plane = (i / HoWo) * p.H * p.W;
  let h0 = i32(((i % HoWo) / p.Wo) * p.stride) - i32(p.pad);
  let w0 = i32((i % p.Wo) * p.stride) - i32(p.pad);
  var best = 0.0;
  var arg = -1;
  for (var kh = 0u; kh < p.kernel; kh++) {
    let ih = h0 + i32(kh);
    if (ih < 0 || ih >= i32(p.H)) { continue; }
    for (var kw = 0u; kw < p.kernel; kw++) {
      let iw = w0 + i32(kw);
      if (iw < 0 || iw >= i32(p.W)) { continue; }
      let at = ih * i32(p.W) + iw;
      let v = x[plane + u32(at)];
      if (arg < 0 || v > best || v != v) {
        best = v;
        arg = at;
      }
    }
  }
  y[i] = best;
  argmax[i] = arg;
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let i = foldedId(wid, nwg, WG, lid);
  let HW = p.H * p.W;
  if (i >= p.B * p.C * HW) { return; }
  let at = i32(i % HW);
  let ih = at / i32(p.W);
  let iw = at % i32(p.W);
  let s = i32(p.stride);
  let k = i32(p.kernel);
  let pd = i32(p.pad);
  // Outputs whose window covers ih: oh·s − pad ≤ ih ≤ oh·s − pad + k − 1.
  let ohLo = max(0, (ih + pd - k + s) / s);
  let ohHi = min(i32(p.Ho) - 1, (ih + pd) / s);
  let owLo = max(0, (iw + pd - k + s) / s);
  let owHi = min(i32(p.Wo) - 1, (iw + pd) / s);
  let plane = (i / HW) * p.Ho * p.Wo;
  var g = 0.0;
  for (var oh = ohLo; oh <= ohHi; oh++) {
    for (var ow = owLo; ow <= owHi; ow++) {
      let o = plane + u32(oh) * p.Wo + u32(ow);
      if (argmaxIn[o] == at) { g += dy[o]; }
    }
  }
  if (p.accumulate != 0u) { g += dx[i]; }
  dx[i] = g;
}
