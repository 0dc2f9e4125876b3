import { batchNormScratch } from '../kernels/batchnorm';
import { edgeConvScratch } from '../kernels/edgeconv';
import { knnScratch, validateK } from '../kernels/knn';
import { type BufferSpec, BufferList, kernelScratch, paramBufferSpecs } from './buffer-plan';
import { type DgcnnConfig, concatWidth, dgcnnParamSpecs, edgeInputWidth } from './dgcnn-config';
import { dgcnnHeadConfig } from './dgcnn-head';
import type { EncoderPlanOptions } from './point-encoder';
import { projectionHeadBufferSpecs } from './projection-head';

// The DGCNN's buffer list and names, apart from the GPU plan (the plan command reads these).

/** First concat channel of EdgeConv l (1-based). */
export function concatOffset(c: DgcnnConfig, l: number): number {
  return c.edgeWidths.slice(0, l - 1).reduce((a, b) => a + b, 0);
}

/** Arena buffer names of a DGCNN planned under `prefix`. */
export function dgcnnBufferNames(prefix: string) {
  return {
    input: `${prefix}input`,
    knn: (l: number) => `${prefix}knn.${l}`,
    arg: (l: number) => `${prefix}argmax.${l}`,
    /** [B, 512, N] */
    concat: `${prefix}concat`,
    /** [B, emb, N] conv5 output; BN5 output with LeakyReLU applied in place. */
    z5: `${prefix}z5`,
    a5: `${prefix}a5`,
    features: `${prefix}features`,
    poolArg: `${prefix}pool.arg`,
    projections: `${prefix}projections`,
    head: `${prefix}head.`,
    dProjections: `${prefix}dProjections`,
    dFeatures: `${prefix}dFeatures`,
    dA5: `${prefix}dA5`,
    dZ5: `${prefix}dZ5`,
    dConcat: `${prefix}dConcat`,
    dInput: `${prefix}dInput`,
  };
}

/**
 * Every buffer createDgcnn allocates in the arena, and (group 'kernel-scratch') what its kernels
 * allocate inside their plans. The single source of `crosspoint plan`'s point-encoder figures.
 */
export function dgcnnBufferSpecs(c: DgcnnConfig, o: EncoderPlanOptions, knnSplits = 1): BufferSpec[] {
  const prefix = o.prefix ?? 'point.';
  const bwd = o.backward ?? true;
  const { batch: B, points: N } = o;
  const { k, emb } = c;
  const Ctot = concatWidth(c);
  const n = dgcnnBufferNames(prefix);
  const l = new BufferList();
  // Without the backward no parameter gradients either (an eval-only encoder).
  l.push(...paramBufferSpecs(dgcnnParamSpecs(c), prefix, bwd));
  l.add(n.input, B * 3 * N, 'activations');
  for (let i = 1; i <= 4; i++) {
    l.add(n.knn(i), B * N * k, 'indices');
    l.add(n.arg(i), B * c.edgeWidths[i - 1]! * N, 'indices');
    l.push(...kernelScratch(`${prefix}knn${i}`, knnScratch({ B, N, k }, knnSplits)));
    const d = { B, N, k, C: edgeInputWidth(c, i), Cout: c.edgeWidths[i - 1]! };
    l.push(...kernelScratch(`${prefix}edgeconv${i}`, edgeConvScratch(d, bwd)));
  }
  l.add(n.concat, B * Ctot * N, 'activations');
  l.add(n.z5, B * emb * N, 'activations');
  l.add(n.a5, B * emb * N, 'activations');
  l.push(...kernelScratch(`${prefix}bn5`, batchNormScratch({ B, C: emb, L: N })));
  l.add(n.features, B * 2 * emb, 'activations');
  l.add(n.poolArg, B * emb, 'indices');
  l.add(n.projections, B * c.proj, 'activations');
  l.push(...projectionHeadBufferSpecs(dgcnnHeadConfig(c), B, n.head, bwd));
  if (bwd) {
    l.add(n.dProjections, B * c.proj, 'activation-grads');
    l.add(n.dFeatures, B * 2 * emb, 'activation-grads');
    l.add(n.dA5, B * emb * N, 'activation-grads');
    l.add(n.dZ5, B * emb * N, 'activation-grads');
    l.add(n.dConcat, B * Ctot * N, 'activation-grads');
    // EdgeConv 1 always produces an input gradient, so dInput exists whenever the backward does.
    l.add(n.dInput, B * 3 * N, 'activation-grads');
  }
  return l.specs;
}

/** Checks what the encoder cannot run (before anything is allocated); messages name the setting. */
export function checkDgcnnShape(c: DgcnnConfig, o: EncoderPlanOptions): void {
  if (!(Number.isInteger(o.batch) && o.batch >= 1))
    throw new Error(`DGCNN: batch must be ≥ 1 (got ${o.batch})`);
  validateK(c.k, o.points, 'DGCNN');
}
