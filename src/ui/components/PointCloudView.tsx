import { useMemo } from 'react';
import * as THREE from 'three';
import { useCloudRenderer } from './cloud-renderer';

/** An orbitable 3-D view of a point cloud ([n·3] xyz), coloured by height. */
export function PointCloudView({
  points,
  size = 300,
  label,
}: {
  points: Float32Array;
  size?: number;
  label: string;
}) {
  const colors = useMemo(() => heightColors(points), [points]);
  const { host, failed } = useCloudRenderer({ points, colors, size, label, floorGrid: true });
  return (
    <div ref={host} className="cloud-view" style={{ width: size, height: size }}>
      {failed && <p>{failed}</p>}
    </div>
  );
}

/** [n·3] rgb: blue at the lowest point through green to the highest (y is up). */
function heightColors(points: Float32Array): Float32Array {
  const n = points.length / 3;
  let ymin = Number.POSITIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    ymin = Math.min(ymin, points[3 * i + 1]!);
    ymax = Math.max(ymax, points[3 * i + 1]!);
  }
  const colors = new Float32Array(n * 3);
  const c = new THREE.Color();
  for (let i = 0; i < n; i++) {
    const t = (points[3 * i + 1]! - ymin) / (ymax - ymin || 1);
    c.setHSL(0.64 - 0.5 * t, 0.75, 0.42);
    colors.set([c.r, c.g, c.b], 3 * i);
  }
  return colors;
}
