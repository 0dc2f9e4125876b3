// Gathers a batch of views from one shard of an 8-bit RGBA view store into f32 CHW in [0, 1]:
// out[b, c, y, x] = channel c of shard pixel (src[b] − first, y, x) / 255, for the b whose view
// lies in this shard (first ≤ src[b] < first + count); other rows are left as they are (another
// shard's dispatch writes them). The conversion is unpack4x8unorm: byte / 255 rounded to f32.
// shard: [count, S·S] u32, one RGBA8 pixel each (r in the low byte); src: [batch] u32 view index
// out: [batch, 3, S, S] f32

struct Params {
  batch: u32,
  plane: u32,  // S·S
  first: u32,  // first view held by this shard
  count: u32,  // views held by this shard
}

@group(0) @binding(0) var<storage, read> shard: array<u32>;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn gather(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, WG, lid);
  if (t >= p.batch * p.plane) { return; }
  let b = t / p.plane;
  let i = t - b * p.plane;
  let v = src[b];
  if (v < p.first || v >= p.first + p.count) { return; }
  let px = unpack4x8unorm(shard[(v - p.first) * p.plane + i]);
  let o = b * 3u * p.plane + i;
  out[o] = px.r;
  out[o + p.plane] = px.g;
  out[o + 2u * p.plane] = px.b;
}
