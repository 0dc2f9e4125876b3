import { describe, expect, it } from 'vitest';
import { CLASS_COLORS } from './colors';

// Machado, Oliveira & Fernandes (2009) simulation matrices at full severity, on linear RGB.
const VISION: Record<string, number[][]> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

/** CIELAB (D65) of a hex colour as a reader with the given vision sees it. */
function lab(hex: string, m: number[][]): [number, number, number] {
  const rgb = [1, 3, 5].map((i) => linear(Number.parseInt(hex.slice(i, i + 2), 16) / 255));
  const l = m.map((row) =>
    Math.min(1, Math.max(0, row[0]! * rgb[0]! + row[1]! * rgb[1]! + row[2]! * rgb[2]!)),
  );
  const X = (0.4124 * l[0]! + 0.3576 * l[1]! + 0.1805 * l[2]!) / 0.95047;
  const Y = 0.2126 * l[0]! + 0.7152 * l[1]! + 0.0722 * l[2]!;
  const Z = (0.0193 * l[0]! + 0.1192 * l[1]! + 0.9505 * l[2]!) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

describe('class colours', () => {
  it('13 colours, every pair at least 12 CIELAB units apart for normal and colour-blind vision', () => {
    expect(CLASS_COLORS).toHaveLength(13);
    for (const [vision, m] of Object.entries(VISION)) {
      let worst = Number.POSITIVE_INFINITY;
      let pair = '';
      for (let i = 0; i < 13; i++) {
        for (let j = i + 1; j < 13; j++) {
          const d = Math.hypot(...lab(CLASS_COLORS[i]!, m).map((v, k) => v - lab(CLASS_COLORS[j]!, m)[k]!));
          if (d < worst) [worst, pair] = [d, `${CLASS_COLORS[i]} ${CLASS_COLORS[j]}`];
        }
      }
      expect(worst, `${vision}: ${pair}`).toBeGreaterThanOrEqual(12);
    }
  });

  it('none is too pale to see on the white page (CIELAB lightness at most 82)', () => {
    for (const c of CLASS_COLORS) expect(lab(c, VISION.normal!)[0]).toBeLessThanOrEqual(82);
  });

  it('the previous Tableau-style palette fails the test (it had near-identical pairs for deuteranopes)', () => {
    const old = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
    const m = VISION.deuteranopia!;
    let worst = Number.POSITIVE_INFINITY;
    for (let i = 0; i < old.length; i++)
      for (let j = i + 1; j < old.length; j++)
        worst = Math.min(worst, Math.hypot(...lab(old[i]!, m).map((v, k) => v - lab(old[j]!, m)[k]!)));
    expect(worst).toBeLessThan(12);
  });
});
