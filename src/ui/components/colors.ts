/** 13+ distinguishable class colours (for the 13 categories; cycles beyond). */
export const CLASS_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#ad494a',
  '#637939',
  '#843c39',
];

export function classColor(label: number): string {
  return CLASS_COLORS[((label % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length]!;
}

/** Diverging blue–white–red scale for values in [-1, 1] (cosine similarity). */
export function divergingColor(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v));
  const lerp = (a: number, b: number, u: number) => Math.round(a + (b - a) * u);
  if (t < 0) {
    const u = -t;
    return [lerp(247, 33, u), lerp(247, 102, u), lerp(247, 172, u)];
  }
  return [lerp(247, 178, t), lerp(247, 24, t), lerp(247, 43, t)];
}
