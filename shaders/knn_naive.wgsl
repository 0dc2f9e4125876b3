// The naive kNN, a benchmark baseline for shaders/knn.wgsl: materialise every squared distance,
// then select per row. Same inputs, outputs and tie rule as knn.wgsl.
//   x:    [B, C, N] f32 at element `offset`, clouds `batchStride` apart
//   dist: [B, N, N] f32 scratch (the matrix knn.wgsl never stores)
//   idx:  [B, N, k] u32, nearest first, exact ties to the lower index

struct Params {
  N: u32, C: u32, k: u32, batchStride: u32,
  offset: u32, B: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> dist: array<f32>;
@group(0) @binding(2) var<storage, read_write> idx: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

const KMAX: u32 = KNN_MAX_K; // the planned kernel's limit (src/kernels/shader-constants.ts)

// One thread per (i, j): exact differences summed in channel order.
@compute @workgroup_size(16, 16)
fn distances(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let i = gid.y;
  let b = gid.z;
  if (i >= p.N || j >= p.N || b >= p.B) { return; }
  let base = p.offset + b * p.batchStride;
  var acc = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let d = x[base + c * p.N + i] - x[base + c * p.N + j];
    acc = fma(d, d, acc);
  }
  dist[(b * p.N + i) * p.N + j] = acc;
}

// One thread per query: insertion top-k over its row, scanned in index order.
@compute @workgroup_size(64)
fn rows(@builtin(global_invocation_id) gid: vec3u) {
  let q = gid.x;
  if (q >= p.B * p.N) { return; }
  let kk = p.k;
  var bestD: array<f32, KMAX>;
  var bestI: array<u32, KMAX>;
  var n = 0u; // filled slots
  let row = q * p.N;
  for (var j = 0u; j < p.N; j++) {
    let d = dist[row + j];
    // j grows, so an equal distance never overtakes a kept entry.
    if (n == kk && d >= bestD[kk - 1u]) { continue; }
    var pos = kk - 1u;
    if (n < kk) {
      pos = n;
      n++;
    }
    loop {
      if (pos == 0u || bestD[pos - 1u] <= d) { break; }
      bestD[pos] = bestD[pos - 1u];
      bestI[pos] = bestI[pos - 1u];
      pos--;
    }
    bestD[pos] = d;
    bestI[pos] = j;
  }
  for (var r = 0u; r < kk; r++) { idx[q * kk + r] = bestI[r]; }
}
