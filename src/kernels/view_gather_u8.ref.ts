/**
 * Reference of view_gather_u8: views[v] is RGBA8 [S·S·4]; out[b, c, y, x] = views[src[b]] channel
 * c at (y, x) / 255, in float64.
 */
export function viewGatherU8Ref(
  views: readonly Uint8Array[],
  src: readonly number[],
  size: number,
): Float64Array {
  const plane = size * size;
  const out = new Float64Array(src.length * 3 * plane); // [B, 3, S, S]
  src.forEach((v, b) => {
    const rgba = views[v]!;
    for (let i = 0; i < plane; i++)
      for (let c = 0; c < 3; c++) out[b * 3 * plane + c * plane + i] = rgba[i * 4 + c]! / 255;
  });
  return out;
}
