import { useEffect, useRef } from 'react';
import { classColor } from './colors';

export interface JointScatterProps {
  /** [2n, 2]: the n point embeddings, then the n image embeddings of the same shapes. */
  xy: Float32Array | number[];
  labels: ArrayLike<number>;
  highlight: number | null;
  onHover(i: number | null): void;
  title: string;
  size?: number;
}

/**
 * Both modalities on one map: a dot per point embedding, a square per image embedding, each
 * shape's two joined by a line (short lines: the two branches agree). Reports the shape under
 * the cursor and rings the highlighted one's pair.
 */
export function JointScatter({ xy, labels, highlight, onHover, title, size = 400 }: JointScatterProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const n = labels.length;
  const place = mapToCanvas(xy, 2 * n, size, 12);

  useEffect(() => {
    const g = ref.current?.getContext('2d');
    if (!g) return;
    g.clearRect(0, 0, size, size);
    // Pair lines first, dots and squares over them.
    g.lineWidth = 1;
    for (let i = 0; i < n; i++) {
      g.strokeStyle = classColor(labels[i]!);
      g.globalAlpha = highlight === null || highlight === i ? 0.6 : 0.25;
      g.beginPath();
      g.moveTo(place.x(i), place.y(i));
      g.lineTo(place.x(n + i), place.y(n + i));
      g.stroke();
    }
    for (let i = 0; i < n; i++) {
      g.fillStyle = classColor(labels[i]!);
      g.globalAlpha = highlight === null || highlight === i ? 0.95 : 0.5;
      g.beginPath();
      g.arc(place.x(i), place.y(i), 4, 0, 2 * Math.PI);
      g.fill();
      g.fillRect(place.x(n + i) - 3.5, place.y(n + i) - 3.5, 7, 7);
    }
    g.globalAlpha = 1;
    if (highlight !== null && highlight < n) {
      g.strokeStyle = '#111';
      g.lineWidth = 2.5;
      g.beginPath();
      g.moveTo(place.x(highlight), place.y(highlight));
      g.lineTo(place.x(n + highlight), place.y(n + highlight));
      g.stroke();
      for (const k of [highlight, n + highlight]) {
        g.beginPath();
        g.arc(place.x(k), place.y(k), 9, 0, 2 * Math.PI);
        g.stroke();
      }
    }
  });

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const k = place.nearest(e.clientX - r.left, e.clientY - r.top, 10);
    onHover(k === null ? null : k % n);
  };

  return (
    <canvas
      ref={ref}
      width={size}
      height={size}
      className="scatter"
      role="img"
      aria-label={title}
      data-testid="joint-scatter"
      onMouseMove={onMove}
      onMouseLeave={() => onHover(null)}
    />
  );
}

/** Canvas coordinates of m 2-D points: one scale for both axes, centred in a size × size square. */
function mapToCanvas(xy: ArrayLike<number>, m: number, size: number, pad: number) {
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) {
    x0 = Math.min(x0, xy[2 * i]!);
    x1 = Math.max(x1, xy[2 * i]!);
    y0 = Math.min(y0, xy[2 * i + 1]!);
    y1 = Math.max(y1, xy[2 * i + 1]!);
  }
  const span = Math.max(x1 - x0, y1 - y0, 1e-9);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const x = (i: number) => size / 2 + ((xy[2 * i]! - cx) / span) * (size - 2 * pad);
  const y = (i: number) => size / 2 - ((xy[2 * i + 1]! - cy) / span) * (size - 2 * pad);
  /** The point within `radius` px of (mx, my) closest to it, or null. */
  const nearest = (mx: number, my: number, radius: number): number | null => {
    let best: number | null = null;
    let bestD = radius * radius;
    for (let i = 0; i < m; i++) {
      const d = (x(i) - mx) ** 2 + (y(i) - my) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  };
  return { x, y, nearest };
}
