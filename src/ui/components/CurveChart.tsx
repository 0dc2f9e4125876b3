/**
 * Curves over training steps drawn with uPlot: a live legend that reads out every curve at the
 * cursor, drag to zoom (double-click or "Reset zoom" to go back), the card's full width, ticks
 * at round values, optional TensorBoard smoothing (raw curve faint behind the smoothed one) and
 * an optional logarithmic y axis.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { emaSmooth } from '../smoothing';

export interface Curve {
  name: string;
  color: string;
  /** One value per x; NaN is a gap. */
  y: number[];
  /** Drawn dashed (e.g. a chance level). */
  dash?: boolean;
  /** Smoothed with the chart's slider (default true). */
  smooth?: boolean;
}

export interface CurveChartProps {
  title: string;
  /** Steps, increasing. */
  x: number[];
  curves: Curve[];
  yLabel: string;
  /** Shows the smoothing slider (TensorBoard's default weight 0.6). */
  smoothing?: boolean;
  /** Shows the log-scale toggle (every value must be positive to use it). */
  logToggle?: boolean;
  /** Formats a y value for the legend and ticks. */
  format?: (v: number) => string;
  height?: number;
  testId?: string;
}

export function CurveChart({
  title,
  x,
  curves,
  yLabel,
  smoothing = false,
  logToggle = false,
  format = (v) => formatValue(v),
  height = 240,
  testId,
}: CurveChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomed = useRef(false);
  const [weight, setWeight] = useState(smoothing ? 0.6 : 0);
  const [log, setLog] = useState(false);
  const smoothed = weight > 0;
  const data = chartData(x, curves, weight);
  const shape = `${curves.map((c) => c.name).join('|')}|${smoothed}|${log}`;

  // A new plot when the series or the scale change; data updates go through setData below.
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series' shape changes
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(
      chartOptions(curves, { smoothed, log, yLabel, format, height, width: el.clientWidth }),
      data,
      el,
    );
    plot.current = u;
    zoomed.current = false;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    // Keep the user's zoom while new steps arrive.
    plot.current?.setData(data, !zoomed.current);
  });

  const positive = curves.every((c) => c.y.every((v) => !Number.isFinite(v) || v > 0));
  return (
    <figure className="curve-chart" data-testid={testId}>
      <div className="curve-controls">
        {smoothing && (
          <label title="TensorBoard's smoothing: an exponential moving average of the curve, debiased at the start">
            Smoothing
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={weight}
              onChange={(e) => setWeight(Number(e.target.value))}
            />
            <output>{weight.toFixed(2)}</output>
          </label>
        )}
        {logToggle && (
          <label className="check" title={positive ? undefined : 'Some values are 0 or negative'}>
            <input
              type="checkbox"
              checked={log && positive}
              disabled={!positive}
              onChange={(e) => setLog(e.target.checked)}
            />
            Log scale
          </label>
        )}
        <button
          type="button"
          onClick={() => {
            zoomed.current = false;
            plot.current?.setData(data, true);
          }}
        >
          Reset zoom
        </button>
        <span className="muted-sm">Drag across the chart to zoom in.</span>
      </div>
      <div
        ref={box}
        className="curve-box"
        role="img"
        aria-label={title}
        onDoubleClick={() => {
          zoomed.current = false; // uPlot's double-click zooms back out
        }}
      />
    </figure>
  );
}

/** uPlot's aligned data: x, then per curve its raw values and (when smoothing) the smoothed ones. */
function chartData(x: number[], curves: Curve[], weight: number): uPlot.AlignedData {
  const cols: (number | null)[][] = [];
  for (const c of curves) {
    const raw = c.y.map((v) => (Number.isFinite(v) ? v : null));
    cols.push(raw);
    if (weight > 0)
      cols.push(emaSmooth(c.y, c.smooth === false ? 0 : weight).map((v) => (Number.isFinite(v) ? v : null)));
  }
  return [x, ...cols] as uPlot.AlignedData;
}

function chartOptions(
  curves: Curve[],
  o: {
    smoothed: boolean;
    log: boolean;
    yLabel: string;
    format: (v: number) => string;
    height: number;
    width: number;
  },
): uPlot.Options {
  const series: uPlot.Series[] = [{ label: 'step', value: (_u, v) => (v == null ? '—' : String(v)) }];
  for (const c of curves) {
    const value = (_u: uPlot, v: number | null) => (v == null ? '—' : o.format(v));
    if (o.smoothed) {
      series.push({
        label: `${c.name} (raw)`,
        stroke: `${c.color}55`,
        width: 1,
        value,
        dash: c.dash ? [6, 4] : undefined,
      });
      series.push({ label: c.name, stroke: c.color, width: 2, value, dash: c.dash ? [6, 4] : undefined });
    } else {
      series.push({ label: c.name, stroke: c.color, width: 2, value, dash: c.dash ? [6, 4] : undefined });
    }
  }
  return {
    width: Math.max(200, o.width),
    height: o.height,
    series,
    scales: { x: { time: false }, y: o.log ? { distr: 3, log: 10 } : {} },
    axes: [
      { label: 'step', stroke: '#5b6470' },
      { label: o.yLabel, stroke: '#5b6470', values: (_u, ticks) => ticks.map((t) => o.format(t)), size: 56 },
    ],
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
  };
}

/** Round values for ticks and the read-out: 3 significant digits, no trailing noise. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1000 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}
