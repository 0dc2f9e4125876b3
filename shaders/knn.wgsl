// k nearest neighbours of every point within its own cloud (the graph of DGCNN's EdgeConv).
//   x:   [B, C, N] f32 at element `offset`, clouds `batchStride` elements apart (a channel slice
//        of a larger [B, Ctotal, N] buffer is read in place)
//   idx: [B, N, k] u32, indices within the cloud, nearest first, self included; exact ties go to
//        the lower index.
// Distances are exact squared differences Σc (x[c,i] − x[c,j])² summed in f32 in channel order
// (not ‖xi‖² − 2xi·xj + ‖xj‖², whose cancellation error scales with the norms rather than the
// distance). The B×N×N matrix is never stored: each thread owns one query and keeps its sorted
// top-k in private memory while the workgroup streams candidate tiles through workgroup memory.
//
// Entry points:
//   topk:   one query per thread over the candidates j in [s·splitLen, (s+1)·splitLen) of split
//           s = workgroup_id.z. FINAL: write idx [B, N, k] directly (one split). Otherwise write the
//           partial sorted lists to scratch, dist/idx [S, k, B·N] (coalesced over queries).
//   merge:  one query per thread, merges its S partial lists (each sorted by (distance, index)).
//           Splits let small batches fill a large GPU; the merge keeps the tie rule exact.

struct Params {
  N: u32, C: u32, k: u32, batchStride: u32,
  offset: u32, splitLen: u32, splits: u32, B: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
// topk: idx [B, N, k] (FINAL) or scratch idx [S, k, B·N]; merge: idx [B, N, k].
@group(0) @binding(1) var<storage, read_write> outIdx: array<u32>;
// topk (not FINAL): scratch dist [S, k, B·N].
@group(0) @binding(2) var<storage, read_write> outDist: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
// merge: the scratch written by topk.
@group(0) @binding(4) var<storage, read> partIdx: array<u32>;
@group(0) @binding(5) var<storage, read> partDist: array<f32>;

override WG: u32 = 64u;         // queries per workgroup (one per thread)
override FINAL: bool = true;
const KMAX: u32 = 32u;          // largest k; the launcher enforces k ≤ KMAX
const SMAX: u32 = 16u;          // most splits
const TILE: u32 = 32u;          // candidates per staged tile
const CCH: u32 = 64u;           // channels per staged chunk
const INF: f32 = 0x1.fffffep+127f; // sentinel distance (f32 max) of an empty slot
const NONE: u32 = 0xffffffffu;  // sentinel index of an empty slot: loses every tie

// One chunk of candidates: [CCH, TILE], 8 KiB.
var<workgroup> cand: array<f32, 2048>;

// (da, ia) strictly before (db, ib): nearer, or as near and a lower index.
fn before(da: f32, ia: u32, db: f32, ib: u32) -> bool {
  return da < db || (da == db && ia < ib);
}

@compute @workgroup_size(WG)
fn topk(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.y;
  let s = wid.z;
  let i = wid.x * WG + lid;
  let live = i < p.N;
  let qi = select(0u, i, live); // idle threads still join the barriers and load in bounds
  let base = p.offset + b * p.batchStride;
  let jBegin = s * p.splitLen;
  let jEnd = min(p.N, jBegin + p.splitLen);
  let kk = p.k;

  var bestD: array<f32, KMAX>;
  var bestI: array<u32, KMAX>;
  for (var r = 0u; r < KMAX; r++) {
    bestD[r] = INF;
    bestI[r] = NONE;
  }
  // The k-th entry, kept in registers so the common reject test does not index the arrays.
  var worstD = INF;
  var worstI = NONE;

  for (var j0 = jBegin; j0 < jEnd; j0 += TILE) {
    var acc: array<f32, TILE>;
    for (var t = 0u; t < TILE; t++) { acc[t] = 0.0; } // explicit: some compilers hoist the zero-init
    for (var c0 = 0u; c0 < p.C; c0 += CCH) {
      let cn = min(CCH, p.C - c0);
      workgroupBarrier();
      for (var e = lid; e < CCH * TILE; e += WG) {
        let cc = e / TILE;
        let j = j0 + e % TILE;
        var v = 0.0;
        if (cc < cn && j < jEnd) { v = x[base + (c0 + cc) * p.N + j]; }
        cand[e] = v;
      }
      workgroupBarrier();
      for (var cc = 0u; cc < cn; cc++) {
        let q = x[base + (c0 + cc) * p.N + qi];
        for (var t = 0u; t < TILE; t++) {
          let d = q - cand[cc * TILE + t];
          acc[t] = fma(d, d, acc[t]);
        }
      }
    }
    if (live) {
      let tn = min(TILE, jEnd - j0);
      for (var t = 0u; t < tn; t++) {
        let d = acc[t];
        let j = j0 + t;
        if (before(d, j, worstD, worstI)) {
          // Insertion: shift worse entries down one slot.
          var pos = kk - 1u;
          loop {
            if (pos == 0u) { break; }
            let pd = bestD[pos - 1u];
            let pj = bestI[pos - 1u];
            if (before(pd, pj, d, j)) { break; }
            bestD[pos] = pd;
            bestI[pos] = pj;
            pos--;
          }
          bestD[pos] = d;
          bestI[pos] = j;
          worstD = bestD[kk - 1u];
          worstI = bestI[kk - 1u];
        }
      }
    }
  }

  if (!live) { return; }
  if (FINAL) {
    let o = (b * p.N + i) * kk;
    for (var r = 0u; r < kk; r++) { outIdx[o + r] = bestI[r]; }
  } else {
    let bn = p.B * p.N;
    let q = b * p.N + i;
    for (var r = 0u; r < kk; r++) {
      let o = (s * kk + r) * bn + q;
      outIdx[o] = bestI[r];
      outDist[o] = bestD[r];
    }
  }
}

@compute @workgroup_size(WG)
fn merge(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let bn = p.B * p.N;
  let q = (wid.x + wid.y * nwg.x) * WG + lid;
  if (q >= bn) { return; }
  let kk = p.k;
  var head: array<u32, SMAX>; // next unread entry of each partial list
  for (var r = 0u; r < kk; r++) {
    var bs = 0u;
    var bd = INF;
    var bj = NONE;
    var found = false;
    for (var s = 0u; s < p.splits; s++) {
      let h = head[s];
      if (h < kk) {
        let o = (s * kk + h) * bn + q;
        let d = partDist[o];
        let j = partIdx[o];
        if (!found || before(d, j, bd, bj)) {
          bs = s;
          bd = d;
          bj = j;
          found = true;
        }
      }
    }
    head[bs]++;
    outIdx[q * kk + r] = bj;
  }
}
