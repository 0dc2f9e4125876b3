import type { HostTensors } from '../../nn/param-store';
import { OnnxExportError } from './errors';
import type { GraphBuilder } from './graph-builder';
import { encodeOnnxModel, type OnnxGraph, ONNX_INT64 } from './onnx-proto';

/**
 * The pieces both exported models (DGCNN, DGCNN_partseg) build from: eval-mode layers with
 * BatchNorm folded into the weights (in float64, rounded to float32 once), the EdgeConv split
 * into per-point MatMuls and a neighbour Gather, and the model file's common header.
 */

export const ONNX_OPSET = 17;
/** PyTorch's BatchNorm eps (crosspoint-weights.md §3). */
const BN_EPS = 1e-5;
/** The reference's LeakyReLU slope. */
const SLOPE = 0.2;

/** A float tensor of `values` by reference name, or a clear error naming the missing one. */
export function f32(values: HostTensors, name: string): Float32Array {
  const v = values.get(name);
  if (!(v instanceof Float32Array)) throw new OnnxExportError(`ONNX export: missing float tensor "${name}"`);
  return v;
}

/** Eval-mode BatchNorm as a per-channel affine map: y = scale·x + shift (float64 scale). */
export function bnAffine(values: HostTensors, prefix: string, C: number) {
  const gamma = f32(values, `${prefix}.weight`);
  const beta = f32(values, `${prefix}.bias`);
  const mean = f32(values, `${prefix}.running_mean`);
  const variance = f32(values, `${prefix}.running_var`);
  const scale = new Float64Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    scale[c] = gamma[c]! / Math.sqrt(variance[c]! + BN_EPS);
    shift[c] = beta[c]! - mean[c]! * scale[c]!;
  }
  return { scale, shift };
}

/** LeakyReLU with the reference's slope. */
export const leakyRelu = (g: GraphBuilder, x: string, hint: string) =>
  g.op1('LeakyRelu', [x], hint, [{ name: 'alpha', type: 'float', f: SLOPE }]);

/** Offsets b·N [B, 1, 1] int64 that turn per-cloud neighbour indices into rows of the flattened [B·N, C] tensor. */
export function cloudOffsets(g: GraphBuilder, B: number, N: number): string {
  return g.tensor(
    'cloud_offsets',
    [B, 1, 1],
    BigInt64Array.from({ length: B }, (_, b) => BigInt(b * N)),
  );
}

/** Sizes of one EdgeConv: B clouds of N points, k neighbours, C input and O output channels. */
export interface EdgeDims {
  B: number;
  N: number;
  k: number;
  C: number;
  O: number;
}

/**
 * An EdgeConv's first conv (weight [O, 2C] on [x_j − x_i ; x_i], eval BN `bn` folded in: scale s,
 * shift t) rearranged so that no [B, N, k, 2C] edge tensor exists:
 *   s·(Wa·x_j + (Wb − Wa)·x_i) + t = P[j] + Q[i],  P = X·(s·Wa)ᵀ,  Q = X·(s·(Wb − Wa))ᵀ + t.
 * On x [B, N, C] with the kNN indices idx [B, N, k] (int64), returns `neigh` [B, N, k, O], the rows
 * P[j] of each point's k neighbours, and `q` [B, N, O]; the pre-activation of edge (i, j) is
 * neigh + q (broadcast over k).
 */
export function foldedEdgeConv(
  g: GraphBuilder,
  values: HostTensors,
  x: string,
  idx: string,
  offsets: string,
  d: EdgeDims,
  weight: string,
  bn: string,
  hint: string,
): { neigh: string; q: string } {
  const { B, N, k, C, O } = d;
  const W = f32(values, weight); // [O, 2C]
  const { scale, shift } = bnAffine(values, bn, O);
  const waT = new Float32Array(C * O); // [C, O] = (s·Wa)ᵀ
  const wqT = new Float32Array(C * O); // [C, O] = (s·(Wb − Wa))ᵀ
  for (let oc = 0; oc < O; oc++) {
    for (let ic = 0; ic < C; ic++) {
      const wa = W[oc * 2 * C + ic]!;
      const wb = W[oc * 2 * C + C + ic]!;
      waT[ic * O + oc] = scale[oc]! * wa;
      wqT[ic * O + oc] = scale[oc]! * (wb - wa);
    }
  }
  const p = g.op1('MatMul', [x, g.tensor(`${hint}_wa`, [C, O], waT)], `${hint}_p`); // [B, N, O]
  const q = g.op1(
    'Add',
    [
      g.op1('MatMul', [x, g.tensor(`${hint}_wq`, [C, O], wqT)], `${hint}_q0`),
      g.tensor(`${hint}_shift`, [O], shift),
    ],
    `${hint}_q`,
  ); // [B, N, O]
  const rows = g.reshape(g.op1('Add', [idx, offsets], `${hint}_rows3`), [B * N * k], `${hint}_rows`);
  const pFlat = g.reshape(p, [B * N, O], `${hint}_pflat`);
  const gathered = g.op1('Gather', [pFlat, rows], `${hint}_gather`, [{ name: 'axis', type: 'int', i: 0 }]);
  return { neigh: g.reshape(gathered, [B, N, k, O], `${hint}_neigh`), q };
}

/** Exposes each kNN graph as an extra output `knn${first + i}` [B, N, k] int64 (for tests). */
export function knnOutputs(
  g: GraphBuilder,
  knns: readonly string[],
  first: number,
  dims: [number, number, number],
): void {
  knns.forEach((idx, i) => {
    const name = `knn${first + i}`;
    g.nodes.push({ op: 'Identity', inputs: [idx], outputs: [name], name: `Identity_${name}` });
    g.output({ name, elemType: ONNX_INT64, dims });
  });
}

/** The model file: the graph with opset, producer and `metadata`. */
export function encodeModel(graph: OnnxGraph, metadata?: Record<string, string>): Uint8Array {
  return encodeOnnxModel({
    graph,
    opset: ONNX_OPSET,
    producerName: 'crosspoint-playground',
    producerVersion: '0.1.0',
    metadata,
  });
}
