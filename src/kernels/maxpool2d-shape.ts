/** A 2-D max pooling's shape (NCHW): the launcher and its reference share it. */
export interface MaxPool2dRefShape {
  B: number;
  C: number;
  H: number;
  W: number;
  kernel: number;
  stride: number;
  pad: number;
}

/** Output height and width, floor((H + 2p − kernel)/s) + 1 as PyTorch (ceil_mode false). */
export function maxPool2dOutSize(s: MaxPool2dRefShape): { Ho: number; Wo: number } {
  return {
    Ho: Math.floor((s.H + 2 * s.pad - s.kernel) / s.stride) + 1,
    Wo: Math.floor((s.W + 2 * s.pad - s.kernel) / s.stride) + 1,
  };
}
