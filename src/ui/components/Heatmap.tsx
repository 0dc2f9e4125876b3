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
  /** Runs of rows/columns that belong together (e.g. one class): separated by lines, outlined on the diagonal. */
  blocks?: { start: number; end: number }[];
  size?: number;
  title: string;
  /** Values mapped to the ends of the colour scale (default −1 and +1). */
  scale?: [number, number];
}

/** A matrix as coloured cells with a legend; hovering a cell shows its row, column and value. */
export function Heatmap({
  values,
  rows,
  cols,
  rowLabels,
  colLabels,
  rowTitle,
  colTitle,
  rowAxisTitle,
  colAxisTitle,
  rowTicks,
  colTicks,
  blocks = [],
  size = 360,
  title,
  scale = [-1, 1],
}: HeatmapProps) {
  const [lo, hi] = scale;
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ r: number; c: number } | null>(null);
  const cell = size / Math.max(rows, cols);
  // Tick labels as large as a cell allows, within 9–12 px.
  const tickFont = Math.max(9, Math.min(12, Math.floor(cell * 0.8)));

  useEffect(() => {
    const cv = ref.current;
    const g = cv?.getContext('2d');
    if (!cv || !g) return;
    g.clearRect(0, 0, cv.width, cv.height);
    const toUnit = (v: number) => (hi > lo ? (2 * (v - lo)) / (hi - lo) - 1 : 0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const [R, G, B] = divergingColor(toUnit(values[r * cols + c]!));
        g.fillStyle = `rgb(${R},${G},${B})`;
        g.fillRect(c * cell, r * cell, Math.ceil(cell), Math.ceil(cell));
      }
    }
    // Lines between blocks across the whole matrix, then each block's diagonal square outlined.
    g.strokeStyle = 'rgba(0,0,0,0.35)';
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
    g.strokeStyle = 'rgba(0,0,0,0.8)';
    g.lineWidth = 2;
    for (const b of blocks) {
      const w = (b.end - b.start) * cell;
      g.strokeRect(b.start * cell + 1, b.start * cell + 1, w - 2, w - 2);
    }
    // Outline the diagonal: the positive pairs.
    g.strokeStyle = 'rgba(0,0,0,0.55)';
    g.lineWidth = 1;
    for (let i = 0; i < Math.min(rows, cols); i++)
      g.strokeRect(i * cell + 0.5, i * cell + 0.5, cell - 1, cell - 1);
    if (hover) {
      g.strokeStyle = '#111';
      g.lineWidth = 2;
      g.strokeRect(hover.c * cell + 1, hover.r * cell + 1, cell - 2, cell - 2);
    }
  }, [values, rows, cols, cell, hover, lo, hi, blocks]);

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
        <span className="axis-title heatmap-col-title">{colAxisTitle}</span>
        <ol className="heatmap-col-ticks" aria-label={`Columns: ${colAxisTitle}`}>
          {colTicks.map((t, c) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: ticks repeat (one per row of a class)
            <li key={c} style={{ width: cell }} title={colLabels[c]}>
              {t}
            </li>
          ))}
        </ol>
        <span className="axis-title heatmap-row-title">{rowAxisTitle}</span>
        <ol className="heatmap-row-ticks" aria-label={`Rows: ${rowAxisTitle}`}>
          {rowTicks.map((t, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: ticks repeat (one per row of a class)
            <li key={r} style={{ height: cell, lineHeight: `${cell}px` }} title={rowLabels[r]}>
              {t}
            </li>
          ))}
        </ol>
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
      <p className="hover-readout" aria-live="polite" data-testid="heatmap-readout">
        {hover
          ? `${rowTitle} ${rowLabels[hover.r] ?? hover.r} × ${colTitle} ${colLabels[hover.c] ?? hover.c}: ` +
            `${Number(values[hover.r * cols + hover.c]).toFixed(3)}${hover.r === hover.c ? ' (positive pair)' : ''}`
          : 'Hover a cell to see the pair and its similarity.'}
      </p>
    </div>
  );
}

function fmt(v: number): string {
  if (v === 1) return '+1';
  if (v === -1) return '−1';
  if (v === 0) return '0';
  return v.toFixed(3).replace('-', '−');
}
