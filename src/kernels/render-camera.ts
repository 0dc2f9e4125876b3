// Cameras of the rendered views, as in the 3D-R2N2 renderings: a random azimuth, an elevation of
// about 25–30°, a 25° field of view, and a distance at which the unit sphere about fills the view.
// Pure math (no GPU), so the metadata and the tests can use it anywhere.
import type { Rng } from '../util/random';

export interface ViewCamera {
  /** Degrees about the up (y) axis; 0 looks at the object's front (+z) from +z. */
  azimuth: number;
  /** Degrees above the horizontal plane. */
  elevation: number;
  /** Distance from the object's centre, in units of the unit-sphere radius. */
  distance: number;
  /** Vertical (and horizontal, the views are square) field of view in degrees. */
  fov: number;
}

export const R2N2_FOV = 25;

/**
 * `views` cameras drawn from `rng`. Draw order per view: azimuth U(0, 360), elevation U(25, 30),
 * distance factor U(1.0, 1.15) times the distance at which the unit sphere exactly fills the view.
 */
export function drawCameras(rng: Rng, views: number): ViewCamera[] {
  const fit = 1 / Math.sin(((R2N2_FOV / 2) * Math.PI) / 180);
  const out: ViewCamera[] = [];
  for (let v = 0; v < views; v++) {
    const azimuth = rng.uniform(0, 360);
    const elevation = rng.uniform(25, 30);
    const distance = fit * rng.uniform(1.0, 1.15);
    out.push({ azimuth, elevation, distance, fov: R2N2_FOV });
  }
  return out;
}

/** Camera position in world space (y up). */
export function cameraEye(c: ViewCamera): [number, number, number] {
  const az = (c.azimuth * Math.PI) / 180;
  const el = (c.elevation * Math.PI) / 180;
  return [
    c.distance * Math.cos(el) * Math.sin(az),
    c.distance * Math.sin(el),
    c.distance * Math.cos(el) * Math.cos(az),
  ];
}

/**
 * View-projection matrix (column-major, WebGPU clip space with z in [0, 1]) looking from the
 * camera at the origin, y up.
 */
export function viewProjection(c: ViewCamera, near = 0.05, far = 100): Float32Array {
  const eye = cameraEye(c);
  const f = normalise([-eye[0], -eye[1], -eye[2]]);
  const r = normalise(crossv(f, [0, 1, 0]));
  const u = crossv(r, f);
  // World → camera (right-handed, looking down −z).
  // biome-ignore format: matrix layout
  const view = [
    r[0], u[0], -f[0], 0,
    r[1], u[1], -f[1], 0,
    r[2], u[2], -f[2], 0,
    -dot(r, eye), -dot(u, eye), dot(f, eye), 1,
  ];
  const t = 1 / Math.tan(((c.fov / 2) * Math.PI) / 180);
  const proj = [t, 0, 0, 0, 0, t, 0, 0, 0, 0, far / (near - far), -1, 0, 0, (near * far) / (near - far), 0];
  const out = new Float32Array(16);
  for (let col = 0; col < 4; col++) {
    for (let row = 0; row < 4; row++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += proj[k * 4 + row]! * view[col * 4 + k]!;
      out[col * 4 + row] = s;
    }
  }
  return out;
}

/** Unit direction towards the key light: above, behind and to the left of the camera. */
export function lightDirection(c: ViewCamera): [number, number, number] {
  const eye = normalise(cameraEye(c));
  const r = normalise(crossv([-eye[0], -eye[1], -eye[2]], [0, 1, 0]));
  return normalise([eye[0] - 0.4 * r[0], eye[1] + 0.8, eye[2] - 0.4 * r[2]]);
}

type V3 = [number, number, number];

function dot(a: V3, b: V3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
function crossv(a: V3, b: V3): V3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function normalise(a: V3): V3 {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
}
