// Image augmentations of a training batch (torchvision semantics): colour jitter (brightness,
// contrast, saturation, applied in a per-image random order), horizontal flip, then
// normalisation with a per-channel mean and std.
// images: [M, 3, S, S] f32 in [0, 1] (source views); out: [B, 3, S, S] f32
// params: [B] ImageParams (source image, flip, op order, factors); means: [B] f32 scratch
//
// Ops (each clamps to [0, 1], as torchvision's _blend does):
//   0 brightness: v = b·v
//   1 contrast:   v = c·v + (1 − c)·mean(gray(image as it is at this point))
//   2 saturation: v = s·v + (1 − s)·gray(v)
// gray(v) = 0.2989 r + 0.587 g + 0.114 b (torchvision rgb_to_grayscale).
// The contrast mean depends on the ops before it, so pass `mean` computes it first (one
// workgroup per image, fixed-order tree reduction), and pass `apply` uses it.

struct ImageParams {
  src: u32,
  flip: u32,
  o0: u32,
  o1: u32,
  o2: u32,
  b: f32,
  c: f32,
  s: f32,
}

struct Dims {
  batch: u32,
  size: u32,
  mean0: f32,
  mean1: f32,
  mean2: f32,
  std0: f32,
  std1: f32,
  std2: f32,
}

@group(0) @binding(0) var<storage, read> images: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<ImageParams>;
@group(0) @binding(2) var<storage, read_write> means: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> dims: Dims;

override WG: u32 = 256;

fn gray(v: vec3f) -> f32 {
  return 0.2989 * v.r + 0.587 * v.g + 0.114 * v.b;
}

fn op(v: vec3f, which: u32, p: ImageParams, mean: f32) -> vec3f {
  if (which == 0u) { return clamp(p.b * v, vec3f(0.0), vec3f(1.0)); }
  if (which == 1u) { return clamp(p.c * v + (1.0 - p.c) * mean, vec3f(0.0), vec3f(1.0)); }
  return clamp(p.s * v + (1.0 - p.s) * gray(v), vec3f(0.0), vec3f(1.0));
}

fn load(img: u32, i: u32) -> vec3f {
  let plane = dims.size * dims.size;
  let base = img * 3u * plane + i;
  return vec3f(images[base], images[base + plane], images[base + 2u * plane]);
}

var<workgroup> partial: array<f32, WG>;

// One workgroup per image: mean gray level of the image after the ops that precede contrast.
@compute @workgroup_size(WG)
fn mean(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let bi = foldedGroup(wid, nwg);
  if (bi >= dims.batch) { return; } // uniform per workgroup, so the barriers below stay uniform
  let p = params[bi];
  let plane = dims.size * dims.size;
  var acc = 0.0;
  for (var i = lid; i < plane; i += WG) {
    var v = load(p.src, i);
    if (p.o0 != 1u) {
      v = op(v, p.o0, p, 0.0);
      if (p.o1 != 1u) { v = op(v, p.o1, p, 0.0); }
    }
    acc += gray(v);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid] += partial[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { means[bi] = partial[0] / f32(plane); }
}

// One thread per output pixel: jitter in order, flip, normalise.
@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  let s = dims.size;
  let plane = s * s;
  if (t >= dims.batch * plane) { return; }
  let bi = t / plane;
  let i = t % plane;
  let y = i / s;
  let x = i % s;
  let p = params[bi];
  let sx = select(x, s - 1u - x, p.flip != 0u);
  var v = load(p.src, y * s + sx);
  let m = means[bi];
  v = op(v, p.o0, p, m);
  v = op(v, p.o1, p, m);
  v = op(v, p.o2, p, m);
  let base = bi * 3u * plane + i;
  out[base] = (v.r - dims.mean0) / dims.std0;
  out[base + plane] = (v.g - dims.mean1) / dims.std1;
  out[base + 2u * plane] = (v.b - dims.mean2) / dims.std2;
}
