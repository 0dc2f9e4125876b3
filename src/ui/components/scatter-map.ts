/**
 * Canvas coordinates of m 2-D points ([m, 2] in `xy`): one scale for both axes (distances stay
 * honest), the data centred in a size × size square with `pad` px margins.
 */
export function mapToCanvas(xy: ArrayLike<number>, m: number, size: number, pad: number) {
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) {
    x0 = Math.min(x0, xy[2 * i]!);
    x1 = Math.max(x1, xy[2 * i]!);
    y0 = Math.min(y0, xy[2 * i + 1]!);
    y1 = Math.max(y1, xy[2 * i + 1]!);
  }
  const span = Math.max(x1 - x0, y1 - y0, 1e-9);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const x = (i: number) => size / 2 + ((xy[2 * i]! - cx) / span) * (size - 2 * pad);
  const y = (i: number) => size / 2 - ((xy[2 * i + 1]! - cy) / span) * (size - 2 * pad);
  /** The point within `radius` px of (mx, my) closest to it, or null. */
  const nearest = (mx: number, my: number, radius: number): number | null => {
    let best: number | null = null;
    let bestD = radius * radius;
    for (let i = 0; i < m; i++) {
      const d = (x(i) - mx) ** 2 + (y(i) - my) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  };
  return { x, y, nearest };
}

export type CanvasMap = ReturnType<typeof mapToCanvas>;
