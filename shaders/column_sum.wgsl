// Column sums of a row-major matrix: out[c] = Σ_r x[r, c]  (or out[c] += ... when accumulate).
// x: [R, C], out: [C]. Deterministic: a fixed partition and a fixed summation order.
//
// Pass 1 (`partial`): workgroup (column block of 64, row chunk g) sums rows
//   [g·chunk, (g+1)·chunk) with 4 row lanes per column, then a fixed two-step tree over the lanes.
//   With one chunk (G = 1) it writes out directly; otherwise part[g, c].
// Pass 2 (`combine`, only when G > 1): out[c] (+)= Σ_g part[g, c], in g order.

struct Params {
  R: u32, C: u32, chunk: u32, G: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> part: array<f32>;  // [G, C] (G > 1)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;   // [C]
@group(0) @binding(3) var<uniform> p: Params;

const COLS = 64u;
const LANES = 4u;
var<workgroup> sh: array<f32, 256>;  // [LANES, COLS]

@compute @workgroup_size(256)
fn partial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let blocks = (p.C + COLS - 1u) / COLS;
  let gi = foldedGroup(wid, nwg);  // uniform across the workgroup
  if (gi >= blocks * p.G) { return; }
  let g = gi / blocks;
  let col = (gi % blocks) * COLS + lid % COLS;
  let lane = lid / COLS;
  let r1 = min(p.R, (g + 1u) * p.chunk);
  var s = 0.0;
  if (col < p.C) {
    for (var r = g * p.chunk + lane; r < r1; r += LANES) { s += x[r * p.C + col]; }
  }
  sh[lid] = s;
  workgroupBarrier();
  if (lid < 2u * COLS) { sh[lid] += sh[lid + 2u * COLS]; }
  workgroupBarrier();
  if (lid < COLS && col < p.C) {
    let v = sh[lid] + sh[lid + COLS];
    if (p.G == 1u) {
      if (p.accumulate != 0u) { out[col] += v; } else { out[col] = v; }
    } else {
      part[g * p.C + col] = v;
    }
  }
}

@compute @workgroup_size(64)
fn combine(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let col = foldedId(wid, nwg, 64u, lid);
  if (col >= p.C) { return; }
  var s = 0.0;
  for (var g = 0u; g < p.G; g++) { s += part[g * p.C + col]; }
  if (p.accumulate != 0u) { out[col] += s; } else { out[col] = s; }
}
