import { buildDgcnnOnnx } from '../../src/export/onnx/dgcnn-onnx';
import { BufferArena } from '../../src/gpu/arena';
import { readF32, submitAndWait, writeBuffer } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { createDgcnn } from '../../src/nn/dgcnn';
import { DGCNN_REFERENCE, type DgcnnConfig } from '../../src/nn/dgcnn-config';
import { freshWeights } from '../../src/nn/weights';
import { PRESETS } from '../../src/train/presets';
import { Rng } from '../../src/util/random';
import type { BenchReport } from '../report';
import { compareCase, type OrtOutputs, ortContender } from './contender';
import { oursRunner } from './ours';
import { budgetFor } from './timing';

/** Largest |a − b| relative to the largest |b|. */
export function relMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / (m || 1);
}

/**
 * The DGCNN encoder's eval forward (batch 8, 1024 points, k 20, reference widths; --quick: the
 * tiny preset's widths on 2 clouds of 128 points): ours against ORT running our ONNX export of the
 * same weights (src/export/onnx). Ours also runs the projection head (a few B×2048 products);
 * the ONNX graph stops at the features.
 */
export async function encoderCompare(ctx: GpuContext, report: BenchReport): Promise<void> {
  const { quick } = report.options;
  const B = quick ? 2 : 8;
  const N = Math.min(quick ? 128 : 1024, report.options.maxSize);
  const c: DgcnnConfig = quick ? { ...PRESETS.tiny.dgcnn, k: 10 } : { ...DGCNN_REFERENCE, k: 20 };
  const values = freshWeights({ kind: 'dgcnn', config: c }, 1);
  const points = new Rng(2).normalArray(B * 3 * N, 0.5); // [B, 3, N]
  const arena = new BufferArena(ctx, 'the batch or point count');
  try {
    const enc = await createDgcnn(ctx, arena, c, { batch: B, points: N, backward: false });
    enc.params.upload(values);
    writeBuffer(ctx, enc.input, points);
    await submitAndWait(ctx, (e) => enc.encodeForward(e, 'eval'));
    const mine = await readF32(ctx, enc.features, B * 2 * c.emb);
    const model = () => buildDgcnnOnnx(c, values, { batch: B, points: N });
    const inputs = () => ({ points: { data: points, dims: [B, 3, N] } });
    const check = (out: OrtOutputs) => ({ 'rel max diff': relMaxDiff(out.features as Float32Array, mine) });
    await compareCase(
      report,
      'compare encoder',
      `DGCNN eval B=${B} N=${N} k=${c.k} emb=${c.emb}`,
      oursRunner(ctx, (e) => enc.encodeForward(e, 'eval')),
      [ortContender('webgpu', model, inputs, check), ortContender('wasm', model, inputs, check)],
      budgetFor(quick),
      { arena: `${(arena.totalBytes / 2 ** 20).toFixed(1)} MiB` },
      { label: 'clouds/s', amount: B },
    );
    enc.destroy();
  } finally {
    arena.destroy();
  }
}
