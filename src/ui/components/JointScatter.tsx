import { classColor } from './colors';
import type { ScatterProps } from './Scatter';
import { ring, ScatterCanvas } from './ScatterCanvas';
import { mapToCanvas } from './scatter-map';

/** As Scatter's, but `xy` is [2n, 2]: the n point embeddings, then the n image embeddings of the same shapes. */
export type JointScatterProps = ScatterProps;

/**
 * Both modalities on one map: a dot per point embedding, a square per image embedding, each
 * shape's two joined by a line (short lines: the two branches agree). Reports the shape under
 * the cursor and rings the highlighted one's pair.
 */
export function JointScatter({ xy, labels, highlight, onHover, title, size = 400 }: JointScatterProps) {
  const n = labels.length;
  const place = mapToCanvas(xy, 2 * n, size, 12);
  const draw = (g: CanvasRenderingContext2D) => {
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
      for (const k of [highlight, n + highlight]) ring(g, place.x(k), place.y(k));
    }
  };
  // A dot or a square: either way the shape it belongs to.
  const pick = (x: number, y: number) => {
    const k = place.nearest(x, y, 10);
    return k === null ? null : k % n;
  };
  return (
    <ScatterCanvas
      size={size}
      title={title}
      testId="joint-scatter"
      draw={draw}
      pick={pick}
      onHover={onHover}
    />
  );
}
