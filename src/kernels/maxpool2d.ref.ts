/**
 * Reference for shaders/maxpool2d.wgsl: PyTorch's MaxPool2d(kernel, stride, padding) with
 * return_indices (ceil_mode false, dilation 1) on NCHW input, and its analytic backward.
 */
import { type MaxPool2dRefShape, maxPool2dOutSize } from './maxpool2d-shape';

export { type MaxPool2dRefShape, maxPool2dOutSize };

/** y [B, C, Ho, Wo] and argmax (flat ih·W + iw in the plane; first of equal maxima). */
export function maxPool2dRef(
  s: MaxPool2dRefShape,
  x: ArrayLike<number>,
): { y: Float64Array; argmax: Int32Array } {
  const { Ho, Wo } = maxPool2dOutSize(s);
  const y = new Float64Array(s.B * s.C * Ho * Wo);
  const argmax = new Int32Array(y.length);
  for (let bc = 0; bc < s.B * s.C; bc++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        let best = Number.NEGATIVE_INFINITY;
        let arg = -1;
        for (let ih = oh * s.stride - s.pad; ih < oh * s.stride - s.pad + s.kernel; ih++)
          for (let iw = ow * s.stride - s.pad; iw < ow * s.stride - s.pad + s.kernel; iw++) {
            if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
            const v = x[(bc * s.H + ih) * s.W + iw]!;
            if (arg < 0 || v > best) {
              best = v;
              arg = ih * s.W + iw;
            }
          }
        const o = (bc * Ho + oh) * Wo + ow;
        y[o] = best;
        argmax[o] = arg;
      }
  return { y, argmax };
}

/** dx [B, C, H, W]: each dy routed to its argmax, summed where windows overlap. */
export function maxPool2dBackwardRef(
  s: MaxPool2dRefShape,
  dy: ArrayLike<number>,
  argmax: Int32Array,
): Float64Array {
  const { Ho, Wo } = maxPool2dOutSize(s);
  const dx = new Float64Array(s.B * s.C * s.H * s.W);
  for (let o = 0; o < dy.length; o++) {
    const bc = Math.floor(o / (Ho * Wo));
    dx[bc * s.H * s.W + argmax[o]!]! += dy[o]!;
  }
  return dx;
}
