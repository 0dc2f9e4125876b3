import { useCloudRenderer } from './cloud-renderer';

/**
 * An orbitable 3-D view of a point cloud ([n·3] xyz) with a colour per point ([n·3] rgb in 0..1);
 * `onHover` gets the point under the pointer (or null) so the caller can say what it is.
 */
export function PartCloudView({
  points,
  colors,
  size = 320,
  label,
  onHover,
}: {
  points: Float32Array;
  colors: Float32Array;
  size?: number;
  label: string;
  onHover: (index: number | null) => void;
}) {
  const { host, failed } = useCloudRenderer({ points, colors, size, label, onHover });
  return (
    <div ref={host} className="cloud-view" style={{ width: size, height: size }}>
      {failed && <p>{failed}</p>}
    </div>
  );
}
