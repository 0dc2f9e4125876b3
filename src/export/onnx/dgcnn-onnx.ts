import { kProblem } from '../../kernels/knn-limits';
import { type DgcnnConfig, edgeInputWidth } from '../../nn/dgcnn-config';
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

export { ONNX_OPSET } from './folded-layers';

export interface DgcnnOnnxOptions {
  /** Clouds per run (fixed in the graph). */
  batch: number;
  /** Points per cloud (fixed in the graph). */
  points: number;
  /** Neighbours (default: the config's k). */
  k?: number;
  /**
   * Input layout: 'channels-first' (default) takes points [B, 3, N], as PyTorch's DGCNN and our
   * engine do; 'points-first' takes [B, N, 3] (the layout of .ply / HDF5 data).
   */
  layout?: 'channels-first' | 'points-first';
  /** Also output each EdgeConv's kNN indices, knn1..knn4 [B, N, k] int64 (for tests). */
  knnOutputs?: boolean;
  /** Extra metadata_props (e.g. the weights file it came from). */
  metadata?: Record<string, string>;
}

/**
 * The DGCNN encoder in eval mode as an ONNX model (opset 17, standard ops only); output
 * "features" [B, 2·emb] = [max ; mean] over points of the conv5 block, as in the reference.
 *
 * The graph is the reference's arithmetic rearranged, not its edge tensor: with an EdgeConv weight
 * W = [Wa Wb] on [x_j − x_i ; x_i] and eval BN folded in (scale s, shift t per channel),
 *   s·(Wa·x_j + (Wb − Wa)·x_i) + t = P[j] + Q[i],  P = X·(s·Wa)ᵀ,  Q = X·(s·(Wb − Wa))ᵀ + t,
 * and since Q[i] is constant over the neighbours and LeakyReLU is increasing,
 *   max_j LeakyReLU(P[j] + Q[i]) = LeakyReLU(max_j P[j] + Q[i]).
 * So each EdgeConv is two MatMuls over the N points, one Gather of the k neighbour rows of P, a
 * ReduceMax, an Add and a LeakyRelu; no B×2C×N×k tensor. kNN is MatMul + TopK (knn-graph.ts).
 * Values are rounded to float32 once, after the folding (done in float64).
 */
export function buildDgcnnOnnx(c: DgcnnConfig, values: HostTensors, o: DgcnnOnnxOptions): Uint8Array {
  const B = o.batch;
  const N = o.points;
  const k = o.k ?? c.k;
  const why = kProblem(k, N);
  if (why) throw new OnnxExportError(`ONNX export: ${why}`);
  const g = new GraphBuilder();
  const layout = o.layout ?? 'channels-first';
  const input = g.input({
    name: 'points',
    elemType: ONNX_FLOAT,
    dims: layout === 'channels-first' ? [B, 3, N] : [B, N, 3],
  });
  let x = layout === 'channels-first' ? g.transpose(input, [0, 2, 1], 'xyz') : input; // [B, N, 3]
  const offsets = cloudOffsets(g, B, N);
  const outs: string[] = [];
  const knns: string[] = [];
  for (let l = 1; l <= 4; l++) {
    const C = edgeInputWidth(c, l);
    const O = c.edgeWidths[l - 1]!;
    const idx = knnNodes(g, x, k, `knn${l}`); // [B, N, k] int64
    knns.push(idx);
    const dims = { B, N, k, C, O };
    const e = foldedEdgeConv(g, values, x, idx, offsets, dims, `conv${l}.0.weight`, `bn${l}`, `edge${l}`);
    const best = g.reduce('ReduceMax', e.neigh, [2], false, `edge${l}_max`); // [B, N, O]
    x = leakyRelu(g, g.op1('Add', [best, e.q], `edge${l}_pre`), `edge${l}_out`);
    outs.push(x);
  }
  const cat = g.op1('Concat', outs, 'concat', [{ name: 'axis', type: 'int', i: 2 }]); // [B, N, 512]
  const Cin = outs.length ? c.edgeWidths.reduce((a, b) => a + b, 0) : 0;
  const W5 = f32(values, 'conv5.0.weight'); // [emb, 512]
  const { scale, shift } = bnAffine(values, 'bn5', c.emb);
  const w5T = new Float32Array(Cin * c.emb); // [512, emb] = (s·W5)ᵀ
  for (let oc = 0; oc < c.emb; oc++)
    for (let ic = 0; ic < Cin; ic++) w5T[ic * c.emb + oc] = scale[oc]! * W5[oc * Cin + ic]!;
  const z5 = g.op1(
    'Add',
    [
      g.op1('MatMul', [cat, g.tensor('conv5_w', [Cin, c.emb], w5T)], 'conv5'),
      g.tensor('bn5_shift', [c.emb], shift),
    ],
    'bn5',
  );
  const a5 = leakyRelu(g, z5, 'act5'); // [B, N, emb]
  const mx = g.reduce('ReduceMax', a5, [1], false, 'pool_max'); // [B, emb]
  const mn = g.reduce('ReduceMean', a5, [1], false, 'pool_mean');
  g.nodes.push({
    op: 'Concat',
    inputs: [mx, mn],
    outputs: [g.fresh('features')],
    name: 'Concat_features',
    attrs: [{ name: 'axis', type: 'int', i: 1 }],
  });
  g.output({ name: 'features', elemType: ONNX_FLOAT, dims: [B, 2 * c.emb] });
  if (o.knnOutputs) knnOutputs(g, knns, 1, [B, N, k]);
  return encodeModel(
    g.graph(
      'crosspoint_dgcnn',
      `DGCNN point encoder (eval mode), input "points" ${layout === 'channels-first' ? '[B, 3, N]' : '[B, N, 3]'}, output "features" [B, ${2 * c.emb}] = [max ; mean] over points`,
    ),
    {
      model: 'crosspoint-dgcnn',
      k: String(k),
      edge_widths: c.edgeWidths.join(','),
      emb_dims: String(c.emb),
      batch: String(B),
      points: String(N),
      layout,
      ...o.metadata,
    },
  );
}
