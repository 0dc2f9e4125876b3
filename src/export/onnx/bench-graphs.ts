import { encodeModel } from './folded-layers';
import { GraphBuilder } from './graph-builder';
import { knnNodes } from './knn-graph';
import { ONNX_FLOAT, ONNX_INT64 } from './onnx-proto';

/** C [M, N] = A [M, K] · B [K, N]: one MatMul (the matmul benchmark's ONNX side). */
export function buildMatmulOnnx(M: number, N: number, K: number): Uint8Array {
  const g = new GraphBuilder();
  const a = g.input({ name: 'a', elemType: ONNX_FLOAT, dims: [M, K] });
  const b = g.input({ name: 'b', elemType: ONNX_FLOAT, dims: [K, N] });
  g.nodes.push({ op: 'MatMul', inputs: [a, b], outputs: ['c'], name: 'MatMul_c' });
  g.output({ name: 'c', elemType: ONNX_FLOAT, dims: [M, N] });
  return encodeModel(g.graph('matmul'));
}

/**
 * kNN of B clouds x [B, C, N] (channel-major, as our kernel reads it): int64 "idx" [B, N, k],
 * nearest first, self included (the kNN benchmark's ONNX side; the same nodes as in the DGCNN export).
 */
export function buildKnnOnnx(B: number, N: number, C: number, k: number): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input({ name: 'x', elemType: ONNX_FLOAT, dims: [B, C, N] });
  const idx = knnNodes(g, g.transpose(x, [0, 2, 1], 'x_points'), k, 'knn');
  g.nodes.push({ op: 'Identity', inputs: [idx], outputs: ['idx'], name: 'Identity_idx' });
  g.output({ name: 'idx', elemType: ONNX_INT64, dims: [B, N, k] });
  return encodeModel(g.graph('knn'));
}
