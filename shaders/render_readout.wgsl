// Copies a rendered RGBA8 view into the image tensor the image encoder reads, without a CPU
// round trip: out[image, c, y, x] = texel(x, y).c for c in RGB, values in [0, 1].
// src: texture [S, S] rgba8unorm; out: [*, 3, S, S] f32

struct Params {
  size: u32,
  image: u32,
}

@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let s = params.size;
  if (gid.x >= s || gid.y >= s) { return; }
  let c = textureLoad(src, vec2u(gid.x, gid.y), 0);
  let plane = s * s;
  let base = params.image * 3u * plane + gid.y * s + gid.x;
  out[base] = c.r;
  out[base + plane] = c.g;
  out[base + 2u * plane] = c.b;
}
