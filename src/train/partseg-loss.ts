// The part-segmentation objective: the reference's cal_loss (label-smoothed cross-entropy, ε 0.2)
// over the model's logits [B, 50, N], with the per-point arg-max kept for the metrics.
import type { BufferArena } from '../gpu/arena';
import { readF32, readI32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { planSmoothedCe } from '../kernels/smoothed_ce';

export interface PartsegLoss {
  /** Records loss, gradient into dLogits and predictions. */
  encode(enc: GPUCommandEncoder): void;
  /** [B, N] i32 part labels the caller writes before encoding (each in [0, parts)). */
  readonly labels: GPUBuffer;
  /** [B, N] i32 arg-max over the parts. */
  readonly pred: GPUBuffer;
  /** f32 [1]: the mean loss. */
  readonly loss: GPUBuffer;
  /** Score only the first `rows` clouds from the next encode on (an evaluation's padded last batch). */
  setRows(rows: number): void;
  read(): Promise<{ loss: number; pred: Int32Array }>;
  destroy(): void;
}

export async function planPartsegLoss(
  ctx: GpuContext,
  arena: BufferArena,
  s: { B: number; N: number; parts: number },
  bufs: { logits: GPUBuffer; dLogits: GPUBuffer },
): Promise<PartsegLoss> {
  const labels = arena.alloc('partseg.labels', s.B * s.N * 4, 'objective'); // [B, N] i32
  const pred = arena.alloc('partseg.pred', s.B * s.N * 4, 'objective'); // [B, N] i32
  const loss = arena.alloc('partseg.loss', 4, 'objective'); // [1]
  const op = await planSmoothedCe(
    ctx,
    { B: s.B, C: s.parts, N: s.N },
    { logits: bufs.logits, labels, grad: bufs.dLogits, pred, loss },
  );
  return {
    encode: (enc) => op.encode(enc),
    setRows: (rows) => op.setRows(rows),
    labels,
    pred,
    loss,
    async read() {
      return { loss: (await readF32(ctx, loss, 1))[0]!, pred: await readI32(ctx, pred, s.B * s.N) };
    },
    destroy: () => op.destroy(),
  };
}
