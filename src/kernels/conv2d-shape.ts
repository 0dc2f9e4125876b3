/** A 2-D convolution's shape (NCHW, weights [Cout, Cin, KH, KW]): the launcher and its reference share it. */
export interface Conv2dRefShape {
  B: number;
  Cin: number;
  H: number;
  W: number;
  Cout: number;
  KH: number;
  KW: number;
  stride: number;
  pad: number;
}

/** Output height and width, floor((H + 2p − KH)/s) + 1 as PyTorch. */
export function conv2dOutSize(s: Conv2dRefShape): { Ho: number; Wo: number } {
  return {
    Ho: Math.floor((s.H + 2 * s.pad - s.KH) / s.stride) + 1,
    Wo: Math.floor((s.W + 2 * s.pad - s.KW) / s.stride) + 1,
  };
}
