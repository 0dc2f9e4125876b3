import { classColor } from './colors';
import { ring, ScatterCanvas } from './ScatterCanvas';
import { mapToCanvas } from './scatter-map';

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
  const n = labels.length;
  const place = mapToCanvas(xy, n, size, 12);
  const draw = (g: CanvasRenderingContext2D) => {
    for (let i = 0; i < n; i++) {
      g.fillStyle = classColor(labels[i]!);
      g.globalAlpha = highlight === null || highlight === i ? 0.9 : 0.45;
      g.beginPath();
      g.arc(place.x(i), place.y(i), 4, 0, 2 * Math.PI);
      g.fill();
    }
    g.globalAlpha = 1;
    if (highlight !== null && highlight < n) {
      g.strokeStyle = '#111';
      g.lineWidth = 2.5;
      ring(g, place.x(highlight), place.y(highlight));
    }
  };
  return (
    <ScatterCanvas
      size={size}
      title={title}
      draw={draw}
      pick={(x, y) => place.nearest(x, y, 10)}
      onHover={onHover}
    />
  );
}
