import { useEffect, useRef } from 'react';

/**
 * The canvas both embedding scatters draw on: `draw` paints it after every render, and the
 * pointer reports `pick(x, y)` (canvas px) to `onHover`, null when it leaves.
 */
export function ScatterCanvas({
  size,
  title,
  testId,
  draw,
  pick,
  onHover,
}: {
  size: number;
  title: string;
  testId?: string;
  draw(g: CanvasRenderingContext2D): void;
  pick(x: number, y: number): number | null;
  onHover(i: number | null): void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const g = ref.current?.getContext('2d');
    if (!g) return;
    g.clearRect(0, 0, size, size);
    draw(g);
  });
  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    onHover(pick(e.clientX - r.left, e.clientY - r.top));
  };
  return (
    <canvas
      ref={ref}
      width={size}
      height={size}
      className="scatter"
      role="img"
      aria-label={title}
      data-testid={testId}
      onMouseMove={onMove}
      onMouseLeave={() => onHover(null)}
    />
  );
}

/** Rings point (x, y) of the highlighted shape. */
export function ring(g: CanvasRenderingContext2D, x: number, y: number): void {
  g.beginPath();
  g.arc(x, y, 9, 0, 2 * Math.PI);
  g.stroke();
}
