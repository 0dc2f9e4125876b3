import { useEffect, useRef } from 'react';
import { classColor } from './colors';

export interface ScatterProps {
  /** [n, 2] coordinates. */
  xy: Float32Array | number[];
  labels: ArrayLike<number>;
  highlight: number | null;
  onHover(i: number | null): void;
  title: string;
  size?: number;
}

/** 2-D embedding scatter coloured by class; reports the point under the cursor, rings the highlighted one. */
export function Scatter({ xy, labels, highlight, onHover, title, size = 320 }: ScatterProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const n = labels.length;
  const pad = 12;
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, xy[2 * i]!);
    x1 = Math.max(x1, xy[2 * i]!);
    y0 = Math.min(y0, xy[2 * i + 1]!);
    y1 = Math.max(y1, xy[2 * i + 1]!);
  }
  // One scale for both axes (distances stay honest), the data centred in the square.
  const span = Math.max(x1 - x0, y1 - y0, 1e-9);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const px = (i: number) => size / 2 + ((xy[2 * i]! - cx) / span) * (size - 2 * pad);
  const py = (i: number) => size / 2 - ((xy[2 * i + 1]! - cy) / span) * (size - 2 * pad);

  useEffect(() => {
    const g = ref.current?.getContext('2d');
    if (!g) return;
    g.clearRect(0, 0, size, size);
    for (let i = 0; i < n; i++) {
      g.fillStyle = classColor(labels[i]!);
      g.globalAlpha = highlight === null || highlight === i ? 0.9 : 0.45;
      g.beginPath();
      g.arc(px(i), py(i), 4, 0, 2 * Math.PI);
      g.fill();
    }
    g.globalAlpha = 1;
    if (highlight !== null && highlight < n) {
      g.strokeStyle = '#111';
      g.lineWidth = 2.5;
      g.beginPath();
      g.arc(px(highlight), py(highlight), 9, 0, 2 * Math.PI);
      g.stroke();
    }
  });

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const mx = e.clientX - r.left;
    const my = e.clientY - r.top;
    let best = -1;
    let bestD = 100; // within 10 px
    for (let i = 0; i < n; i++) {
      const d = (px(i) - mx) ** 2 + (py(i) - my) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    onHover(best >= 0 ? best : null);
  };

  return (
    <canvas
      ref={ref}
      width={size}
      height={size}
      className="scatter"
      role="img"
      aria-label={title}
      onMouseMove={onMove}
      onMouseLeave={() => onHover(null)}
    />
  );
}
