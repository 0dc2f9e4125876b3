/**
 * 13 class colours (one per sample-set category; they cycle beyond) that stay apart for readers
 * with any of the three colour-vision deficiencies: chosen from Okabe & Ito's and Paul Tol's
 * palettes so that every pair differs by at least 12 CIELAB units under normal vision and under
 * simulated protanopia, deuteranopia and tritanopia (colors.test.ts checks it), none too pale to
 * see on white.
 */
export const CLASS_COLORS = [
  '#332288',
  '#d55e00',
  '#117733',
  '#88ccee',
  '#882255',
  '#ccbb44',
  '#aa4499',
  '#6699cc',
  '#ee8866',
  '#999933',
  '#ee3377',
  '#bbbbbb',
  '#cc79a7',
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
