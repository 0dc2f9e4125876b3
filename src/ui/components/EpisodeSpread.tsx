import { formatAccuracy } from '../format';

export interface SpreadGroup {
  /** Label under the group, e.g. "CrossPoint (step 40)". */
  name: string;
  /** Accuracy of each episode in [0, 1]. */
  accs: readonly number[];
  mean: number;
  std: number;
  color: string;
  testid: string;
}

const pad = { l: 56, r: 16, t: 14, b: 44 };
const Y_TICKS = [0, 20, 40, 60, 80, 100];

/**
 * Per-episode accuracies of a few groups side by side on one 0–100 % axis: a dot per episode
 * (spread sideways by episode index, so equal scores do not hide each other), the mean as a bar
 * and ± one standard deviation as a band, and the chance level of a `way`-way episode dashed.
 */
export function EpisodeSpread({
  groups,
  way,
  width = 440,
  height = 260,
  title,
}: {
  groups: SpreadGroup[];
  way: number;
  width?: number;
  height?: number;
  title: string;
}) {
  const plotW = width - pad.l - pad.r;
  const plotH = height - pad.t - pad.b;
  const sy = (acc: number) => pad.t + (1 - acc) * plotH; // acc in [0, 1]
  const slot = plotW / groups.length;
  const half = slot * 0.32;
  const chance = 1 / way;

  return (
    <figure className="chart">
      <svg width={width} height={height} role="img" aria-label={title}>
        <title>{title}</title>
        {Y_TICKS.map((v) => (
          <g key={v}>
            <line x1={pad.l} x2={width - pad.r} y1={sy(v / 100)} y2={sy(v / 100)} stroke="#e6e8eb" />
            <text x={pad.l - 6} y={sy(v / 100) + 4} textAnchor="end" fontSize="11" fill="#5b6470">
              {v}
            </text>
          </g>
        ))}
        <line x1={pad.l} x2={pad.l} y1={pad.t} y2={pad.t + plotH} stroke="#9aa3ad" />
        <text
          transform={`translate(14 ${pad.t + plotH / 2}) rotate(-90)`}
          textAnchor="middle"
          fontSize="11"
          fill="#5b6470"
        >
          accuracy per episode (%)
        </text>
        <line
          x1={pad.l}
          x2={width - pad.r}
          y1={sy(chance)}
          y2={sy(chance)}
          stroke="#b0563a"
          strokeDasharray="4 3"
        />
        <text x={width - pad.r} y={sy(chance) - 4} textAnchor="end" fontSize="10" fill="#b0563a">
          chance (1/{way})
        </text>
        {groups.map((g, gi) => {
          const cx = pad.l + slot * (gi + 0.5);
          const n = g.accs.length;
          const lo = Math.max(0, g.mean - g.std);
          const hi = Math.min(1, g.mean + g.std);
          return (
            <g key={g.name} data-testid={g.testid}>
              <rect
                x={cx - half}
                y={sy(hi)}
                width={2 * half}
                height={Math.max(1, sy(lo) - sy(hi))}
                fill={g.color}
                opacity={0.14}
              />
              {g.accs.map((a, i) => (
                <circle
                  // biome-ignore lint/suspicious/noArrayIndexKey: an episode is identified by its position
                  key={i}
                  cx={cx + (n > 1 ? (i / (n - 1) - 0.5) * 1.6 * half : 0)}
                  cy={sy(a)}
                  r={3}
                  fill={g.color}
                  fillOpacity={0.75}
                  data-episode={i + 1}
                >
                  <title>{`episode ${i + 1}: ${(100 * a).toFixed(1)} %`}</title>
                </circle>
              ))}
              <line
                x1={cx - half}
                x2={cx + half}
                y1={sy(g.mean)}
                y2={sy(g.mean)}
                stroke={g.color}
                strokeWidth={3}
              />
              <text x={cx} y={height - pad.b + 16} textAnchor="middle" fontSize="11" fill="#26303a">
                {g.name}
              </text>
              <text x={cx} y={height - pad.b + 30} textAnchor="middle" fontSize="11" fill="#5b6470">
                mean ± sd {formatAccuracy(g.mean, g.std)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
