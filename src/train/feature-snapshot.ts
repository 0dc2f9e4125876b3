/**
 * An eval-only copy of a trainer's point encoder at one step: its weights and BatchNorm running
 * statistics, copied on the GPU between two steps, with the buffers of an eval-mode forward and
 * nothing else (no gradients, no Adam moments, no image encoder, no step buffers). Analyses that
 * must see one step while training goes on (few-shot, "what pretraining buys") read features from
 * it; a full trainer copy would hold about twice the model's memory for as long.
 */
import { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { planPointAugment } from '../kernels/point_augment';
import { NO_AUGMENT } from '../kernels/point_augment-params';
import { createDgcnn } from '../nn/dgcnn';
import type { PointEncoder } from '../nn/point-encoder';
import { Rng } from '../util/random';
import { type EvalForward, evalCloudsFeatures, readEvalFeatures } from './eval-features';
import type { ResolvedConfig } from './train-config';
import type { Trainer } from './trainer';
import type { TrainingData } from './training-data';

type Augment = Awaited<ReturnType<typeof planPointAugment>>;

export class FeatureSnapshot {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly arena: BufferArena,
    private readonly point: PointEncoder,
    private readonly evalPoints: Augment,
    /** [2B, N, 3] the clouds of one forward, point-major as the dataset stores them. */
    private readonly raw: GPUBuffer,
    private readonly data: TrainingData,
    /** The trainer's step when the weights were copied. */
    readonly step: number,
    readonly resolved: ResolvedConfig,
  ) {}

  /**
   * Copies `t`'s point encoder as it is now. Call between two training steps: the copy is
   * recorded on the device's queue after the last step's work, so it holds that step's weights.
   */
  static async of(t: Trainer): Promise<FeatureSnapshot> {
    const r = t.resolved;
    if (r.encoder !== 'dgcnn')
      throw new Error(`FeatureSnapshot: a ${r.encoder} encoder has no eval-only copy`);
    const B2 = 2 * r.batch; // the trainer's point batch: both augmented copies of B objects
    const N = r.points;
    const arena = new BufferArena(t.ctx, 'the batch or the point count');
    try {
      const point = await createDgcnn(t.ctx, arena, r.dgcnn, {
        batch: B2,
        points: N,
        backward: false,
        prefix: 'snapshot.',
      });
      const raw = arena.alloc('snapshot.clouds', B2 * N * 3 * 4, 'batch'); // [2B, N, 3]
      // Centred and scaled to the unit sphere, nothing random: the trainer's eval input.
      const evalPoints = await planPointAugment(
        t.ctx,
        { B: B2, N, options: NO_AUGMENT },
        { points: raw, out: point.input },
      );
      evalPoints.upload(evalPoints.draw(new Rng(0)));
      const enc = t.ctx.device.createCommandEncoder({ label: 'snapshot weights' });
      for (const [name, src] of t.point.params.tensors)
        enc.copyBufferToBuffer(src.value, 0, point.params.value(name), 0, src.n * 4);
      t.ctx.device.queue.submit([enc.finish()]);
      for (const [name, v] of t.point.params.counters) point.params.counters.set(name, v);
      return new FeatureSnapshot(t.ctx, arena, point, evalPoints, raw, t.data, t.step, r);
    } catch (e) {
      arena.destroy();
      throw e;
    }
  }

  /** GPU bytes the snapshot holds, by buffer group ("weights", "bn-stats", "activations", ...). */
  bytesByGroup(): Record<string, number> {
    return this.arena.byGroup();
  }

  /** Eval-mode 2·emb-d DGCNN features of dataset objects, as Trainer.features at the snapshot's step. */
  async features(indices: readonly number[]): Promise<Float32Array> {
    const F = this.point.featureWidth;
    const out = new Float32Array(indices.length * F); // [n, F]
    const cap = this.point.batch;
    const cloudBytes = this.resolved.points * 12;
    const stride = this.data.pointsPerCloud * 12;
    for (let at = 0; at < indices.length; at += cap) {
      const chunk = indices.slice(at, at + cap);
      const padded = [...chunk, ...Array(cap - chunk.length).fill(chunk[0]!)];
      const enc = this.ctx.device.createCommandEncoder({ label: 'snapshot features' });
      for (const [i, obj] of padded.entries()) {
        if (this.data.clouds)
          enc.copyBufferToBuffer(this.data.clouds, obj * stride, this.raw, i * cloudBytes, cloudBytes);
        // A streamed set has no clouds on the GPU: the host copy holds the same values.
        else
          this.ctx.device.queue.writeBuffer(
            this.raw,
            i * cloudBytes,
            this.data.hostClouds[obj]!,
            0,
            cloudBytes / 4,
          );
      }
      out.set(await readEvalFeatures(this.evalForward, enc, chunk.length), at * F);
    }
    return out;
  }

  /**
   * Eval-mode features of clouds outside the dataset, [n, N0, 3] with N0 ≥ N (each keeps its first
   * N points), as Trainer.cloudsFeatures at the snapshot's step: [n, F].
   */
  async cloudsFeatures(clouds: Float32Array, n: number): Promise<Float32Array> {
    return evalCloudsFeatures(this.evalForward, clouds, n, 'snapshot clouds features');
  }

  /** The eval forward of `features` and `cloudsFeatures`: the point batch (2B) from `raw`. */
  private get evalForward(): EvalForward {
    const { ctx, raw, evalPoints, point } = this;
    return { ctx, raw, cap: point.batch, points: this.resolved.points, evalPoints, point };
  }

  dispose(): void {
    this.evalPoints.destroy();
    this.point.destroy();
    this.arena.destroy();
  }
}
