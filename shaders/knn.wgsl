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
// Shared with src/kernels/knn.ts through src/kernels/shader-constants.ts (the loader appends them).
const KMAX: u32 = KNN_MAX_K;          // largest k; the launcher enforces k ≤ KMAX
const SMAX: u32 = KNN_MAX_SPLITS;     // most splits
const TILE: u32 = KNN_TILE;           // candidates per staged tile (8 named vec4 accumulators)
const CCH: u32 = KNN_CHANNEL_CHUNK;   // channels per staged chunk
const INF: f32 = 0x1.fffffep+127f; // sentinel distance (f32 max) of an empty slot
const NONE: u32 = 0xffffffffu;  // sentinel index of an empty slot: loses every tie

const TILE4: u32 = TILE / 4u;
// One chunk of candidates: [CCH, TILE] as vec4 (one 16-byte load feeds four distances), 8 KiB.
var<workgroup> cand: array<vec4f, CCH * TILE4>;

// (da, ia) strictly before (db, ib): nearer, or as near and a lower index.
fn before(da: f32, ia: u32, db: f32, ib: u32) -> bool {
  return da < db || (da == db && ia < ib);
}

// This invocation's top-k, sorted by (distance, index); empty slots hold (INF, NONE).
var<private> bestD: array<f32, KMAX>;
var<private> bestI: array<u32, KMAX>;
// The k-th entry, kept in registers so the common reject test does not index the arrays.
var<private> worstD: f32;
var<private> worstI: u32;

// Offers the candidates j .. j+3 (those below jEnd) with distances d4 to the top-k.
fn offer4(d4: vec4f, j: u32, jEnd: u32, kk: u32) {
  if (!any(d4 <= vec4f(worstD))) { return; } // the usual case once the list has filled
  for (var u = 0u; u < 4u; u++) {
    let d = d4[u];
    let ju = j + u;
    if (ju < jEnd && before(d, ju, worstD, worstI)) {
      // Insertion: shift worse entries down one slot.
      var pos = kk - 1u;
      loop {
        if (pos == 0u) { break; }
        let pd = bestD[pos - 1u];
        let pj = bestI[pos - 1u];
        if (before(pd, pj, d, ju)) { break; }
        bestD[pos] = pd;
        bestI[pos] = pj;
        pos--;
      }
      bestD[pos] = d;
      bestI[pos] = ju;
      worstD = bestD[kk - 1u];
      worstI = bestI[kk - 1u];
    }
  }
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

  for (var r = 0u; r < KMAX; r++) {
    bestD[r] = INF;
    bestI[r] = NONE;
  }
  worstD = INF;
  worstI = NONE;

  for (var j0 = jBegin; j0 < jEnd; j0 += TILE) {
    // Distances to the 32 candidates of the tile: named registers, not an indexed array, so no
    // compiler has to spill them to memory.
    var a0 = vec4f();
    var a1 = vec4f();
    var a2 = vec4f();
    var a3 = vec4f();
    var a4 = vec4f();
    var a5 = vec4f();
    var a6 = vec4f();
    var a7 = vec4f();
    for (var c0 = 0u; c0 < p.C; c0 += CCH) {
      let cn = min(CCH, p.C - c0);
      workgroupBarrier();
      // Only the cn live rows: narrow inputs (C = 3) must not pay for a 64-row chunk.
      for (var e = lid; e < cn * TILE4; e += WG) {
        let j = j0 + (e % TILE4) * 4u;
        let a = base + (c0 + e / TILE4) * p.N + j;
        var v = vec4f(); // past the end: zeros, whose distances are never read
        if (j + 3u < jEnd) {
          v = vec4f(x[a], x[a + 1u], x[a + 2u], x[a + 3u]);
        } else {
          for (var u = 0u; u < 4u; u++) {
            if (j + u < jEnd) { v[u] = x[a + u]; }
          }
        }
        cand[e] = v;
      }
      workgroupBarrier();
      for (var cc = 0u; cc < cn; cc++) {
        let q = vec4f(x[base + (c0 + cc) * p.N + qi]);
        let r = cc * TILE4;
        var d = q - cand[r];
        a0 = fma(d, d, a0);
        d = q - cand[r + 1u];
        a1 = fma(d, d, a1);
        d = q - cand[r + 2u];
        a2 = fma(d, d, a2);
        d = q - cand[r + 3u];
        a3 = fma(d, d, a3);
        d = q - cand[r + 4u];
        a4 = fma(d, d, a4);
        d = q - cand[r + 5u];
        a5 = fma(d, d, a5);
        d = q - cand[r + 6u];
        a6 = fma(d, d, a6);
        d = q - cand[r + 7u];
        a7 = fma(d, d, a7);
      }
    }
    if (live) {
      offer4(a0, j0, jEnd, kk);
      offer4(a1, j0 + 4u, jEnd, kk);
      offer4(a2, j0 + 8u, jEnd, kk);
      offer4(a3, j0 + 12u, jEnd, kk);
      offer4(a4, j0 + 16u, jEnd, kk);
      offer4(a5, j0 + 20u, jEnd, kk);
      offer4(a6, j0 + 24u, jEnd, kk);
      offer4(a7, j0 + 28u, jEnd, kk);
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
  let q = foldedId(wid, nwg, WG, lid);
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
