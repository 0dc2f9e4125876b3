// Appended to every shader by the WGSL loader (shaders/loader.ts), together with the constants
// of src/kernels/shader-constants.ts. It comes after the file's own text so the compiler's line
// numbers stay the file's (WGSL declarations may be used before they appear).

// Workgroup index of a 1-D grid that src/gpu/dispatch.ts grid1D folded into y when it exceeded
// maxComputeWorkgroupsPerDimension.
fn foldedGroup(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// Thread index in such a grid of `size`-thread workgroups (lid: local_invocation_index).
fn foldedId(wid: vec3u, nwg: vec3u, size: u32, lid: u32) -> u32 {
  return foldedGroup(wid, nwg) * size + lid;
}
