import { kProblem } from '../../kernels/knn-limits';
import { type PartSegConfig, partSegConcatWidth } from '../../nn/dgcnn-partseg-config';
import type { HostTensors } from '../../nn/param-store';
import { OnnxExportError } from './errors';
import {
  bnAffine,
  cloudOffsets,
  encodeModel,
  f32,
  foldedEdgeConv,
  knnOutputs,
  leakyRelu,
} from './folded-layers';
import { GraphBuilder } from './graph-builder';
import { knnNodes } from './knn-graph';
import { ONNX_FLOAT } from './onnx-proto';

export interface PartSegOnnxOptions {
  batch: number;
  points: number;
  /** Neighbours (default: the config's k). */
  k?: number;
  /** Also output the four graphs knn0..knn3 [B, N, k] int64 (for tests). */
  knnOutputs?: boolean;
  metadata?: Record<string, string>;
}

/**
 * conv (weight [O, I], columns I0… of width I) with eval BN folded in, on x [..., I]:
 * x·(s·W)ᵀ + t, then LeakyReLU unless `raw`.
 */
function convBn(
  g: GraphBuilder,
  values: HostTensors,
  x: string,
  weight: string,
  bn: string | undefined,
  O: number,
  I: number,
  hint: string,
) {
  const W = f32(values, weight);
  const { scale, shift } = bn
    ? bnAffine(values, bn, O)
    : { scale: new Float64Array(O).fill(1), shift: undefined };
  const wT = new Float32Array(I * O);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) wT[i * O + o] = scale[o]! * W[o * I + i]!;
  const z = g.op1('MatMul', [x, g.tensor(`${hint}_w`, [I, O], wT)], `${hint}_mm`);
  if (!shift) return z;
  return leakyRelu(g, g.op1('Add', [z, g.tensor(`${hint}_shift`, [O], shift)], `${hint}_bn`), `${hint}_out`);
}

/**
 * The part-segmentation model (DGCNN_partseg, eval mode) as an ONNX model (opset 17, standard
 * ops): inputs "points" [B, 3, N] and "category" [B, categories] (one-hot), output "logits"
 * [B, parts, N]. Each EdgeConv's first conv uses the reference's arithmetic rearranged (BN folded:
 * s·(Wa·x_j + (Wb − Wa)·x_i) + t = P[j] + Q[i], two MatMuls over the points and a Gather of the k
 * neighbour rows); a block with a second conv then applies it per edge ([B, N, k, O]) before the
 * max over k; the one-conv block takes the max of P[j] first (LeakyReLU is increasing).
 */
export function buildPartSegOnnx(c: PartSegConfig, values: HostTensors, o: PartSegOnnxOptions): Uint8Array {
  const B = o.batch;
  const N = o.points;
  const k = o.k ?? c.k;
  const why = kProblem(k, N);
  if (why) throw new OnnxExportError(`ONNX export: ${why}`);
  const g = new GraphBuilder();
  const points = g.input({ name: 'points', elemType: ONNX_FLOAT, dims: [B, 3, N] });
  const category = g.input({ name: 'category', elemType: ONNX_FLOAT, dims: [B, c.categories] });
  const xyz = g.transpose(points, [0, 2, 1], 'xyz'); // [B, N, 3]
  const offsets = cloudOffsets(g, B, N);
  const knns: string[] = [];

  /** EdgeConv block on x [B, N, C]: first conv (+ BN, LeakyReLU), optional second per-edge conv, max over k. */
  const block = (
    x: string,
    C: number,
    first: [string, string, number],
    second: [string, string, number] | undefined,
    hint: string,
  ) => {
    const [w1, bn1, O1] = first;
    const idx = knnNodes(g, x, k, `${hint}_knn`);
    knns.push(idx);
    const dims = { B, N, k, C, O: O1 };
    const { neigh, q } = foldedEdgeConv(g, values, x, idx, offsets, dims, w1, bn1, hint); // [B, N, k, O1], [B, N, O1]
    if (!second) {
      const best = g.reduce('ReduceMax', neigh, [2], false, `${hint}_max`);
      return leakyRelu(g, g.op1('Add', [best, q], `${hint}_pre`), `${hint}_out`);
    }
    const q4 = g.reshape(q, [B, N, 1, O1], `${hint}_q4`);
    const a1 = leakyRelu(g, g.op1('Add', [neigh, q4], `${hint}_e1`), `${hint}_a1`); // [B, N, k, O1]
    const [w2, bn2, O2] = second;
    const a2 = convBn(g, values, a1, w2, bn2, O2, O1, `${hint}_conv2`); // [B, N, k, O2]
    return g.reduce('ReduceMax', a2, [2], false, `${hint}_max`); // [B, N, O2]
  };

  // Transform net → T [B, 3, 3]; x' = x·T (the reference's bmm(xᵀ, T)).
  const [t1, t2, t3, t4, t5] = c.tnet;
  const h0 = block(
    xyz,
    3,
    ['transform_net.conv1.0.weight', 'transform_net.bn1', t1],
    ['transform_net.conv2.0.weight', 'transform_net.bn2', t2],
    'tnet',
  );
  const h3 = convBn(
    g,
    values,
    h0,
    'transform_net.conv3.0.weight',
    'transform_net.conv3.1',
    t3,
    t2,
    'tnet_conv3',
  );
  const pooled = g.reduce('ReduceMax', h3, [1], false, 'tnet_pool'); // [B, t3]
  const l1 = convBn(
    g,
    values,
    pooled,
    'transform_net.linear1.weight',
    'transform_net.bn3',
    t4,
    t3,
    'tnet_linear1',
  );
  const l2 = convBn(
    g,
    values,
    l1,
    'transform_net.linear2.weight',
    'transform_net.bn4',
    t5,
    t4,
    'tnet_linear2',
  );
  const tw = f32(values, 'transform_net.transform.weight'); // [9, t5]
  const twT = new Float32Array(t5 * 9);
  for (let o = 0; o < 9; o++) for (let i = 0; i < t5; i++) twT[i * 9 + o] = tw[o * t5 + i]!;
  const tflat = g.op1(
    'Add',
    [
      g.op1('MatMul', [l2, g.tensor('tnet_transform_w', [t5, 9], twT)], 'tnet_transform_mm'),
      g.tensor('tnet_transform_b', [9], f32(values, 'transform_net.transform.bias')),
    ],
    'tnet_transform',
  );
  const T = g.reshape(tflat, [B, 3, 3], 'tnet_T');
  const xt = g.op1('MatMul', [xyz, T], 'xt'); // [B, N, 3]

  const e = c.edge;
  const x1 = block(xt, 3, ['conv1.0.weight', 'bn1', e], ['conv2.0.weight', 'bn2', e], 'edgeA');
  const x2 = block(x1, e, ['conv3.0.weight', 'bn3', e], ['conv4.0.weight', 'bn4', e], 'edgeB');
  const x3 = block(x2, e, ['conv5.0.weight', 'bn5', e], undefined, 'edgeC');
  const cat3 = g.op1('Concat', [x1, x2, x3], 'cat3', [{ name: 'axis', type: 'int', i: 2 }]); // [B, N, 3e]
  const a6 = convBn(g, values, cat3, 'conv6.0.weight', 'bn6', c.emb, 3 * e, 'conv6');
  const global = g.reduce('ReduceMax', a6, [1], true, 'global'); // [B, 1, emb]
  const c7 = convBn(g, values, category, 'conv7.0.weight', 'bn7', c.category, c.categories, 'conv7'); // [B, cat]
  const c7r = g.reshape(c7, [B, 1, c.category], 'conv7_r');
  const gc = g.op1('Concat', [global, c7r], 'global_cat', [{ name: 'axis', type: 'int', i: 2 }]);
  const rep = g.op1('Expand', [gc, g.ints('repeat_shape', [B, N, c.emb + c.category])], 'repeat');
  const cat = g.op1('Concat', [rep, cat3], 'concat', [{ name: 'axis', type: 'int', i: 2 }]); // [B, N, 1280]
  const [h8, h9, h10] = c.head;
  const a8 = convBn(g, values, cat, 'conv8.0.weight', 'bn8', h8, partSegConcatWidth(c), 'conv8');
  const a9 = convBn(g, values, a8, 'conv9.0.weight', 'bn9', h9, h8, 'conv9');
  const a10 = convBn(g, values, a9, 'conv10.0.weight', 'bn10', h10, h9, 'conv10');
  const z11 = convBn(g, values, a10, 'conv11.weight', undefined, c.parts, h10, 'conv11'); // [B, N, parts]
  g.nodes.push({
    op: 'Transpose',
    inputs: [z11],
    outputs: ['logits'],
    name: 'Transpose_logits',
    attrs: [{ name: 'perm', type: 'ints', ints: [0, 2, 1] }],
  });
  g.output({ name: 'logits', elemType: ONNX_FLOAT, dims: [B, c.parts, N] });
  if (o.knnOutputs) knnOutputs(g, knns, 0, [B, N, k]);
  return encodeModel(
    g.graph(
      'crosspoint_dgcnn_partseg',
      `DGCNN_partseg (eval mode): inputs "points" [B, 3, N], "category" [B, ${c.categories}] one-hot; output "logits" [B, ${c.parts}, N]`,
    ),
    { model: 'crosspoint-dgcnn-partseg', k: String(k), batch: String(B), points: String(N), ...o.metadata },
  );
}
