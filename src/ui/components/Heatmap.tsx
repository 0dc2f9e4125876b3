import { useEffect, useRef, useState } from 'react';
import { divergingColor } from './colors';

export interface HeatmapProps {
  /** Row-major [rows, cols] values in [-1, 1]. */
  values: Float32Array | number[];
  rows: number;
  cols: number;
  rowLabels: string[];
  colLabels: string[];
  /** Short names of the two axes, used in the hover read-out ("points", "images"). */
  rowTitle: string;
  colTitle: string;
  /** Axis titles written beside the row labels and above the column labels. */
  rowAxisTitle: string;
  colAxisTitle: string;
  /** Short labels written beside every row and above every column (full labels are in the read-out). */
  rowTicks: string[];
  colTicks: string[];
  /** Runs of rows/columns that belong together (e.g. one class): separated by thin lines. */
  blocks?: { start: number; end: number }[];
  size?: number;
  title: string;
  /** Values mapped to the ends of the colour scale (default −1 and +1); white is their midpoint. */
  scale?: [number, number];
}

type Cell = { r: number; c: number };

/**
 * A matrix as coloured cells with a legend; the diagonal cells (the positive pairs) are outlined,
 * thin lines separate the blocks, and hovering a cell shows its row, column and value.
 */
export function Heatmap(props: HeatmapProps) {
  const { rows, cols, size = 360, title, scale = [-1, 1] } = props;
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<Cell | null>(null);
  const cell = size / Math.max(rows, cols);
  // Tick labels as large as a cell allows, within 9–12 px.
  const tickFont = Math.max(9, Math.min(12, Math.floor(cell * 0.8)));

  useEffect(() => {
    const g = ref.current?.getContext('2d');
    if (!g) return;
    paintMatrix(g, props, cell, hover);
  });

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const c = Math.floor((e.clientX - rect.left) / cell);
    const r = Math.floor((e.clientY - rect.top) / cell);
    setHover(r >= 0 && r < rows && c >= 0 && c < cols ? { r, c } : null);
  };

  return (
    <div className="heatmap">
      <div
        className="heatmap-axes"
        style={{ gridTemplateColumns: `auto auto ${cols * cell}px`, fontSize: `${tickFont}px` }}
      >
        <AxisTicks props={props} cell={cell} />
        <canvas
          ref={ref}
          className="heatmap-canvas"
          width={cols * cell}
          height={rows * cell}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
          role="img"
          aria-label={title}
          data-testid="heatmap-canvas"
        />
      </div>
      <Legend scale={scale} />
      <Readout props={props} hover={hover} />
    </div>
  );
}

/** Cells, the lines between blocks, the outlined diagonal, then the hovered cell. */
function paintMatrix(g: CanvasRenderingContext2D, p: HeatmapProps, cell: number, hover: Cell | null) {
  const { values, rows, cols, blocks = [], scale = [-1, 1] } = p;
  const [lo, hi] = scale;
  g.clearRect(0, 0, cols * cell, rows * cell);
  const toUnit = (v: number) => (hi > lo ? (2 * (v - lo)) / (hi - lo) - 1 : 0);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [R, G, B] = divergingColor(toUnit(values[r * cols + c]!));
      g.fillStyle = `rgb(${R},${G},${B})`;
      g.fillRect(c * cell, r * cell, Math.ceil(cell), Math.ceil(cell));
    }
  }
  g.strokeStyle = 'rgba(0,0,0,0.3)';
  g.lineWidth = 1;
  for (const b of blocks.slice(1)) {
    const at = Math.round(b.start * cell) + 0.5;
    g.beginPath();
    g.moveTo(at, 0);
    g.lineTo(at, rows * cell);
    g.moveTo(0, at);
    g.lineTo(cols * cell, at);
    g.stroke();
  }
  // The positive pairs: each diagonal cell outlined.
  g.strokeStyle = '#111';
  g.lineWidth = 2;
  for (let i = 0; i < Math.min(rows, cols); i++) g.strokeRect(i * cell + 1, i * cell + 1, cell - 2, cell - 2);
  if (hover) {
    g.strokeStyle = '#f5b700';
    g.lineWidth = 3;
    g.strokeRect(hover.c * cell + 1.5, hover.r * cell + 1.5, cell - 3, cell - 3);
  }
}

function AxisTicks({ props: p, cell }: { props: HeatmapProps; cell: number }) {
  return (
    <>
      <span className="axis-title heatmap-col-title">{p.colAxisTitle}</span>
      <ol className="heatmap-col-ticks" aria-label={`Columns: ${p.colAxisTitle}`}>
        {p.colTicks.map((t, c) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: ticks repeat (one per row of a class)
          <li key={c} style={{ width: cell }} title={p.colLabels[c]}>
            {t}
          </li>
        ))}
      </ol>
      <span className="axis-title heatmap-row-title">{p.rowAxisTitle}</span>
      <ol className="heatmap-row-ticks" aria-label={`Rows: ${p.rowAxisTitle}`}>
        {p.rowTicks.map((t, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: ticks repeat (one per row of a class)
          <li key={r} style={{ height: cell, lineHeight: `${cell}px` }} title={p.rowLabels[r]}>
            {t}
          </li>
        ))}
      </ol>
    </>
  );
}

function Legend({ scale: [lo, hi] }: { scale: [number, number] }) {
  return (
    <div
      className="heatmap-legend"
      role="img"
      aria-label={`colour scale from ${fmt(lo)} (blue) through ${fmt((lo + hi) / 2)} (white) to ${fmt(hi)} (red)`}
    >
      <div className="ramp" />
      <div className="ramp-labels">
        <span>{fmt(lo)}</span>
        <span>{fmt((lo + hi) / 2)}</span>
        <span>{fmt(hi)}</span>
      </div>
      <span className="axis-title">cosine similarity</span>
    </div>
  );
}

function Readout({ props: p, hover }: { props: HeatmapProps; hover: Cell | null }) {
  return (
    <p className="hover-readout" aria-live="polite" data-testid="heatmap-readout">
      {hover
        ? `${p.rowTitle} ${p.rowLabels[hover.r] ?? hover.r} × ${p.colTitle} ${p.colLabels[hover.c] ?? hover.c}: ` +
          `${Number(p.values[hover.r * p.cols + hover.c]).toFixed(3)}${hover.r === hover.c ? ' (positive pair)' : ''}`
        : 'Hover a cell to see the pair and its similarity.'}
    </p>
  );
}

function fmt(v: number): string {
  if (v === 1) return '+1';
  if (v === -1) return '−1';
  if (Math.abs(v) < 5e-4) return '0';
  return v.toFixed(3).replace('-', '−');
}
