/**
 * Reference for shaders/conv2d.wgsl: PyTorch's Conv2d (cross-correlation, zero padding,
 * dilation 1, groups 1) by direct summation in float64, and its analytic backward.
 * Tensors are NCHW, row-major; weights [Cout, Cin, KH, KW].
 */
import { type Conv2dRefShape, conv2dOutSize } from './conv2d-shape';

export { type Conv2dRefShape, conv2dOutSize };

type Arr = ArrayLike<number>;

/**
 * Visits every (output, weight, input) triple that contributes: y[yi] += w[wi] · x[xi].
 * The three public functions below are this one loop with different accumulators.
 */
function forEachTap(s: Conv2dRefShape, f: (yi: number, wi: number, xi: number) => void): void {
  const { Ho, Wo } = conv2dOutSize(s);
  for (let b = 0; b < s.B; b++)
    for (let co = 0; co < s.Cout; co++)
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          const yi = ((b * s.Cout + co) * Ho + oh) * Wo + ow;
          for (let ci = 0; ci < s.Cin; ci++)
            for (let kh = 0; kh < s.KH; kh++) {
              const ih = oh * s.stride - s.pad + kh;
              if (ih < 0 || ih >= s.H) continue;
              for (let kw = 0; kw < s.KW; kw++) {
                const iw = ow * s.stride - s.pad + kw;
                if (iw < 0 || iw >= s.W) continue;
                f(yi, ((co * s.Cin + ci) * s.KH + kh) * s.KW + kw, ((b * s.Cin + ci) * s.H + ih) * s.W + iw);
              }
            }
        }
}

/** y [B, Cout, Ho, Wo] = conv(x [B, Cin, H, W], w [Cout, Cin, KH, KW]) (+ bias [Cout]). */
export function conv2dRef(s: Conv2dRefShape, x: Arr, w: Arr, bias?: Arr): Float64Array {
  const { Ho, Wo } = conv2dOutSize(s);
  const y = new Float64Array(s.B * s.Cout * Ho * Wo);
  forEachTap(s, (yi, wi, xi) => {
    y[yi]! += w[wi]! * x[xi]!;
  });
  if (bias) for (let i = 0; i < y.length; i++) y[i]! += bias[Math.floor(i / (Ho * Wo)) % s.Cout]!;
  return y;
}

/** dx [B, Cin, H, W] = ∂(Σ y ⊙ dy)/∂x. */
export function conv2dBackwardInputRef(s: Conv2dRefShape, dy: Arr, w: Arr): Float64Array {
  const dx = new Float64Array(s.B * s.Cin * s.H * s.W);
  forEachTap(s, (yi, wi, xi) => {
    dx[xi]! += w[wi]! * dy[yi]!;
  });
  return dx;
}

/** dw [Cout, Cin, KH, KW] = ∂(Σ y ⊙ dy)/∂w. */
export function conv2dBackwardWeightRef(s: Conv2dRefShape, x: Arr, dy: Arr): Float64Array {
  const dw = new Float64Array(s.Cout * s.Cin * s.KH * s.KW);
  forEachTap(s, (yi, wi, xi) => {
    dw[wi]! += x[xi]! * dy[yi]!;
  });
  return dw;
}

/** db [Cout] = ∂(Σ y ⊙ dy)/∂bias. */
export function conv2dBackwardBiasRef(s: Conv2dRefShape, dy: Arr): Float64Array {
  const { Ho, Wo } = conv2dOutSize(s);
  const db = new Float64Array(s.Cout);
  for (let i = 0; i < dy.length; i++) db[Math.floor(i / (Ho * Wo)) % s.Cout]! += dy[i]!;
  return db;
}
