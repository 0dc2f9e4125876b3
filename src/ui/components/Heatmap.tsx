import { useEffect, useRef, useState } from 'react';
import { divergingColor } from './colors';

export interface HeatmapProps {
  /** Row-major [rows, cols] values in [-1, 1]. */
  values: Float32Array | number[];
  rows: number;
  cols: number;
  rowLabels: string[];
  colLabels: string[];
  rowTitle: string;
  colTitle: string;
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
  size = 360,
  title,
  scale = [-1, 1],
}: HeatmapProps) {
  const [lo, hi] = scale;
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ r: number; c: number } | null>(null);
  const cell = size / Math.max(rows, cols);

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
  }, [values, rows, cols, cell, hover, lo, hi]);

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const c = Math.floor((e.clientX - rect.left) / cell);
    const r = Math.floor((e.clientY - rect.top) / cell);
    setHover(r >= 0 && r < rows && c >= 0 && c < cols ? { r, c } : null);
  };

  return (
    <div className="heatmap">
      <div className="heatmap-axes">
        <span className="axis-title">
          rows: {rowTitle} · columns: {colTitle}
        </span>
        <canvas
          ref={ref}
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
