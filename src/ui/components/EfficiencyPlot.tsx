/**
 * A label-efficiency curve: accuracy (0–100 %) against labels per class (1, 2, 5, 10, all, evenly
 * spaced), the trained encoder's line over the band its random inits span (lowest to highest
 * init, each averaged over draws) with their mean dashed, and chance as a dotted line.
 */
export interface EfficiencyPoint {
  /** Tick label ("1", "all"). */
  label: string;
  trained: number;
  randomMean: number;
  /** Accuracy of each random init (averaged over the draws). */
  randomBySeed: number[];
}

const W = 340;
const H = 220;
const pad = { l: 40, r: 12, t: 12, b: 36 };

export function EfficiencyPlot({
  points,
  chance,
  title,
  testid,
}: {
  points: EfficiencyPoint[];
  chance: number;
  title: string;
  testid?: string;
}) {
  const n = points.length;
  const sx = (i: number) => pad.l + (n === 1 ? 0.5 : i / (n - 1)) * (W - pad.l - pad.r);
  const sy = (a: number) => pad.t + (1 - a) * (H - pad.t - pad.b);
  const line = (ys: number[]) =>
    ys.map((y, i) => `${i ? 'L' : 'M'}${sx(i).toFixed(1)},${sy(y).toFixed(1)}`).join('');
  const lo = points.map((p) => Math.min(...p.randomBySeed));
  const hi = points.map((p) => Math.max(...p.randomBySeed));
  const band =
    `${line(hi)}` +
    lo
      .map((y, i) => [i, y] as const)
      .reverse()
      .map(([i, y]) => `L${sx(i).toFixed(1)},${sy(y).toFixed(1)}`)
      .join('') +
    'Z';
  return (
    <figure className="chart efficiency-plot" data-testid={testid}>
      <svg width={W} height={H} role="img" aria-label={title}>
        <title>{title}</title>
        {[0, 0.25, 0.5, 0.75, 1].map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={W - pad.r} y1={sy(v)} y2={sy(v)} stroke="#e6e8eb" />
            <text x={pad.l - 6} y={sy(v) + 4} textAnchor="end" fontSize="11" fill="#5b6470">
              {Math.round(100 * v)}
            </text>
          </g>
        ))}
        {points.map((p, i) => (
          <text key={p.label} x={sx(i)} y={H - pad.b + 16} textAnchor="middle" fontSize="11" fill="#5b6470">
            {p.label}
          </text>
        ))}
        <text x={(W + pad.l) / 2} y={H - 4} textAnchor="middle" fontSize="11" fill="#5b6470">
          labels per class (accuracy %)
        </text>
        <path d={band} fill="#7d8794" fillOpacity={0.25} stroke="none" data-testid="random-band" />
        <path
          d={line(points.map((p) => p.randomMean))}
          fill="none"
          stroke="#7d8794"
          strokeDasharray="5 3"
          strokeWidth={1.5}
          data-testid="random-mean"
        />
        <line
          x1={pad.l}
          x2={W - pad.r}
          y1={sy(chance)}
          y2={sy(chance)}
          stroke="#b04a4a"
          strokeDasharray="2 3"
          data-testid="chance-line"
        />
        <path
          d={line(points.map((p) => p.trained))}
          fill="none"
          stroke="#2f6fd6"
          strokeWidth={2}
          data-testid="trained-line"
        />
        {points.map((p, i) => (
          <circle key={p.label} cx={sx(i)} cy={sy(p.trained)} r={3} fill="#2f6fd6" />
        ))}
      </svg>
      <figcaption className="legend">
        <span>
          <i style={{ background: '#2f6fd6' }} /> trained
        </span>
        <span>
          <i style={{ background: '#7d8794' }} /> random inits (band: lowest to highest; dashed: mean)
        </span>
        <span>
          <i style={{ background: '#b04a4a' }} /> chance
        </span>
      </figcaption>
    </figure>
  );
}
