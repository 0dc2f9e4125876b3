import { BufferArena } from '../../src/gpu/arena';
import { readF32, submitAndWait, writeBuffer } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { createDgcnn } from '../../src/nn/dgcnn';
import { freshWeights } from '../../src/nn/weights';
import { PRESETS } from '../../src/train/presets';
import { Rng } from '../../src/util/random';
import type { BenchReport } from '../report';
import { type Contender, compareCase } from './contender';
import { relMaxDiff } from './encoder.compare';
import { oursRunner } from './ours';
import { loadTfWebgpu, tfFinish } from './runtimes';
import { createTfDgcnn } from './tfjs-dgcnn';
import { budgetFor } from './timing';

/**
 * One tiny-preset training step of the point branch: both augmented views (2·batch = 16 clouds of
 * 256 points, k 10) through DGCNN + inv_head in training mode (batch statistics), then the backward
 * of Σ projections ⊙ g for a fixed cotangent g to every parameter gradient. Ours (fused EdgeConv,
 * explicit backward) against the same model in TensorFlow.js on its WebGPU backend (autodiff).
 * --quick: 4 clouds of 64 points.
 */
export async function trainStepCompare(ctx: GpuContext, report: BenchReport): Promise<void> {
  const { quick } = report.options;
  const preset = PRESETS.tiny;
  const c = preset.dgcnn;
  const B = quick ? 4 : 2 * preset.batch;
  const N = quick ? 64 : preset.points;
  const values = freshWeights({ kind: 'dgcnn', config: c }, 3);
  const points = new Rng(4).normalArray(B * 3 * N, 0.5); // [B, 3, N]
  const cot = new Rng(5).uniformArray(B * c.proj); // [B, proj]
  const arena = new BufferArena(ctx, 'the batch or point count');
  try {
    const enc = await createDgcnn(ctx, arena, c, { batch: B, points: N });
    const step = (e: GPUCommandEncoder) => {
      enc.encodeForward(e, 'train');
      enc.encodeBackward(e);
    };
    enc.params.upload(values);
    writeBuffer(ctx, enc.input, points);
    writeBuffer(ctx, enc.dProjections!, cot);
    await submitAndWait(ctx, step);
    const proj = await readF32(ctx, enc.projections, B * c.proj);
    let loss = 0;
    for (let i = 0; i < proj.length; i++) loss += proj[i]! * cot[i]!;
    const dW1 = await readF32(ctx, enc.params.grad('conv1.0.weight'));
    const tfContender: Contender = {
      label: 'tfjs-webgpu',
      async prepare() {
        const loaded = await loadTfWebgpu();
        if (!loaded.ok) return loaded;
        const tf = loaded.value;
        const model = createTfDgcnn(tf, c, values, B, N);
        const x = tf.tensor3d(points, [B, 3, N]);
        const g = tf.tensor2d(cot, [B, c.proj]);
        const once = async () => {
          const r = model.step(x, g);
          await tfFinish(tf);
          return r;
        };
        return {
          ok: true,
          value: {
            async run() {
              const r = await once();
              r.loss.dispose();
              for (const t of Object.values(r.grads)) t.dispose();
            },
            release() {
              model.dispose();
              x.dispose();
              g.dispose();
            },
            async check() {
              const r = await once();
              const theirLoss = (await r.loss.data())[0]!;
              const theirDW1 = (await r.grads['conv1.0.weight']!.data()) as Float32Array;
              r.loss.dispose();
              for (const t of Object.values(r.grads)) t.dispose();
              return {
                'loss rel diff': Math.abs(theirLoss - loss) / Math.max(Math.abs(loss), 1e-12),
                'dW1 rel max diff': relMaxDiff(theirDW1, dW1),
              };
            },
          },
        };
      },
    };
    await compareCase(
      report,
      'compare train step',
      `tiny point branch fwd+bwd: ${B} clouds x ${N} points, k ${c.k}, emb ${c.emb}`,
      oursRunner(ctx, step),
      [tfContender],
      budgetFor(quick),
      { arena: `${(arena.totalBytes / 2 ** 20).toFixed(1)} MiB` },
      { label: 'clouds/s', amount: B },
    );
    enc.destroy();
  } finally {
    arena.destroy();
  }
}
