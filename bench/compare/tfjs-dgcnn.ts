/**
 * The DGCNN point branch (encoder + inv_head) written with TensorFlow.js ops, as a TF.js user
 * would write it from the PyTorch reference: kNN by MatMul + TopK, the edge tensor
 * [x_j − x_i ; x_i] materialised, BatchNorm with batch statistics (training mode), gradients by
 * TF.js autodiff. Used only by the training-step comparison (bench/compare/train.compare.ts).
 */
import type { GradSaveFunc, Tensor, Tensor1D, Variable } from '@tensorflow/tfjs-core';
import { type DgcnnConfig, edgeInputWidth } from '../../src/nn/dgcnn-config';
import type { HostTensors } from '../../src/nn/param-store';
import type { Tf } from './runtimes';

const EPS = 1e-5;
const SLOPE = 0.2;

export interface TfDgcnn {
  vars: Map<string, Variable>;
  /** Σ projections ⊙ cot and the gradient of every variable by reference name (caller disposes). */
  step(points: Tensor, cot: Tensor): { loss: Tensor; grads: Record<string, Tensor> };
  dispose(): void;
}

export function createTfDgcnn(tf: Tf, c: DgcnnConfig, values: HostTensors, B: number, N: number): TfDgcnn {
  const vars = new Map<string, Variable>();
  const v = (name: string, shape: number[]) => {
    const data = values.get(name);
    if (!(data instanceof Float32Array)) throw new Error(`missing ${name}`);
    const t = tf.variable(tf.tensor(data, shape), true); // auto name: TF.js names are global
    vars.set(name, t);
    return t;
  };
  const k = c.k;
  const conv = [1, 2, 3, 4].map((l) => {
    const O = c.edgeWidths[l - 1]!;
    return {
      C: edgeInputWidth(c, l),
      O,
      w: v(`conv${l}.0.weight`, [O, 2 * edgeInputWidth(c, l)]),
      gamma: v(`bn${l}.weight`, [O]),
      beta: v(`bn${l}.bias`, [O]),
    };
  });
  const Ccat = c.edgeWidths.reduce((a, b) => a + b, 0);
  const w5 = v('conv5.0.weight', [c.emb, Ccat]);
  const g5 = v('bn5.weight', [c.emb]);
  const b5 = v('bn5.bias', [c.emb]);
  const h0w = v('inv_head.0.weight', [c.headHidden, 2 * c.emb]);
  const h0b = v('inv_head.0.bias', [c.headHidden]);
  const h1g = v('inv_head.1.weight', [c.headHidden]);
  const h1b = v('inv_head.1.bias', [c.headHidden]);
  const h3w = v('inv_head.3.weight', [c.proj, c.headHidden]);
  const h3b = v('inv_head.3.bias', [c.proj]);
  const offsets = tf.reshape(tf.mul(tf.range(0, B, 1, 'int32'), tf.scalar(N, 'int32')), [B, 1, 1]);

  /** BatchNorm with batch statistics over axis 0 of x [M, C]. */
  const bn = (x: Tensor, gamma: Tensor, beta: Tensor) => {
    const { mean, variance } = tf.moments(x, 0);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), gamma), beta);
  };
  /**
   * The k nearest neighbours' rows of x [B, N, C] → [B·N·k, C]. The kNN graph is a constant of the
   * backward (as in the reference, where topk indices carry no gradient), so this is a custom
   * gradient: TF.js's own gather gradient (unsortedSegmentSum into the rows), without the tape
   * trying to differentiate the int32 indices.
   */
  const neighbours = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const x = args[0] as Tensor;
    const save = args[1] as GradSaveFunc;
    const C = x.shape[2]!;
    const inner = tf.matMul(x, x, false, true); // [B, N, N]
    const sq = tf.sum(tf.square(x), -1, true); // [B, N, 1]
    const score = tf.sub(tf.sub(tf.mul(inner, 2), sq), tf.transpose(sq, [0, 2, 1]));
    const { indices } = tf.topk(score, k, true); // [B, N, k] int32, nearest first
    const rows = tf.reshape(tf.add(indices, offsets), [B * N * k]);
    save([rows]);
    return {
      value: tf.gather(tf.reshape(x, [B * N, C]), rows),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) =>
        tf.reshape(tf.unsortedSegmentSum(dy as Tensor, saved[0] as Tensor1D, B * N), [B, N, C]),
    };
  });

  const forward = (points: Tensor) => {
    let x = tf.transpose(points, [0, 2, 1]); // [B, N, 3]
    const outs: Tensor[] = [];
    for (const l of conv) {
      const xj = neighbours(x); // [B·N·k, C]
      const xi = tf.reshape(tf.tile(tf.expandDims(x, 2), [1, 1, k, 1]), [B * N * k, l.C]);
      const edge = tf.concat([tf.sub(xj, xi), xi], 1); // [B·N·k, 2C]
      const e = bn(tf.matMul(edge, l.w, false, true), l.gamma, l.beta); // [B·N·k, O]
      x = tf.max(tf.reshape(tf.leakyRelu(e, SLOPE), [B, N, k, l.O]), 2); // [B, N, O]
      outs.push(x);
    }
    const cat = tf.reshape(tf.concat(outs, 2), [B * N, Ccat]);
    const a5 = tf.reshape(tf.leakyRelu(bn(tf.matMul(cat, w5, false, true), g5, b5), SLOPE), [B, N, c.emb]);
    const features = tf.concat([tf.max(a5, 1), tf.mean(a5, 1)], 1); // [B, 2·emb]
    const h = tf.relu(bn(tf.add(tf.matMul(features, h0w, false, true), h0b), h1g, h1b));
    return tf.add(tf.matMul(h, h3w, false, true), h3b); // [B, proj]
  };

  return {
    vars,
    step(points, cot) {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(forward(points), cot)),
        [...vars.values()],
      );
      const byName: Record<string, Tensor> = {};
      for (const [name, t] of vars) byName[name] = grads[t.name]!;
      return { loss: value, grads: byName };
    },
    dispose() {
      for (const t of vars.values()) t.dispose();
      offsets.dispose();
    },
  };
}
