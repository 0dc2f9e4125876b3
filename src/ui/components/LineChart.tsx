import { useMemo } from 'react';

const pad = { l: 48, r: 12, t: 12, b: 32 };

export interface Series {
  name: string;
  color: string;
  /** y value per x (step); NaN or undefined entries are gaps. */
  points: { x: number; y: number }[];
}

/** A small SVG line chart with axes, for live loss curves. Pure: redraws from props. */
export function LineChart({
  series,
  width = 520,
  height = 220,
  xLabel = 'step',
  title,
}: {
  series: Series[];
  width?: number;
  height?: number;
  xLabel?: string;
  title: string;
}) {
  const { xs, ys, paths } = useMemo(() => {
    const all = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y)));
    const x0 = Math.min(...all.map((p) => p.x), 0);
    const x1 = Math.max(...all.map((p) => p.x), 1);
    let y0 = Math.min(...all.map((p) => p.y));
    let y1 = Math.max(...all.map((p) => p.y));
    if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
    if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
    const sx = (x: number) => pad.l + ((x - x0) / (x1 - x0 || 1)) * (width - pad.l - pad.r);
    const sy = (y: number) => pad.t + (1 - (y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
    const paths = series.map((s) => {
      let d = '';
      let pen = false;
      for (const p of s.points) {
        if (!Number.isFinite(p.y)) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`;
        pen = true;
      }
      return { name: s.name, color: s.color, d };
    });
    const ticks = (a: number, b: number, n: number) =>
      Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
    // Steps are integers: at most 4 intervals, on whole numbers, no repeated labels.
    const xStep = Math.max(1, Math.ceil((x1 - x0) / 4));
    const xTicks: number[] = [];
    for (let v = Math.ceil(x0); v <= x1; v += xStep) xTicks.push(v);
    return {
      xs: xTicks.map((v) => ({ v, p: sx(v) })),
      ys: ticks(y0, y1, 4).map((v) => ({ v, p: sy(v) })),
      paths,
    };
  }, [series, width, height]);

  return (
    <figure className="chart">
      <svg width={width} height={height} role="img" aria-label={title}>
        <title>{title}</title>
        {ys.map((t) => (
          <g key={`y${t.v}`}>
            <line x1={pad.l} x2={width - pad.r} y1={t.p} y2={t.p} stroke="#e6e8eb" />
            <text x={pad.l - 6} y={t.p + 4} textAnchor="end" fontSize="11" fill="#5b6470">
              {formatTick(t.v)}
            </text>
          </g>
        ))}
        {xs.map((t) => (
          <text
            key={`x${t.v}`}
            x={t.p}
            y={height - pad.b + 16}
            textAnchor="middle"
            fontSize="11"
            fill="#5b6470"
          >
            {Math.round(t.v)}
          </text>
        ))}
        <text x={(width + pad.l) / 2} y={height - 4} textAnchor="middle" fontSize="11" fill="#5b6470">
          {xLabel}
        </text>
        {paths.map((p) => (
          <path key={p.name} d={p.d} fill="none" stroke={p.color} strokeWidth={1.8} />
        ))}
      </svg>
      <figcaption className="legend">
        {series.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color }} /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}
