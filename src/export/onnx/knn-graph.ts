import type { GraphBuilder } from './graph-builder';

/**
 * kNN as standard ONNX ops, the way the PyTorch reference computes it: scores
 * −‖x_i‖² + 2·x_i·x_j − ‖x_j‖² = −‖x_i − x_j‖² from one batched MatMul, then TopK (largest,
 * sorted), so each row lists its k nearest points nearest first, the point itself included.
 *
 * x: [B, N, C] (point-major). Returns the int64 indices [B, N, k].
 */
export function knnNodes(g: GraphBuilder, x: string, k: number, hint: string): string {
  const xt = g.transpose(x, [0, 2, 1], `${hint}_xT`); // [B, C, N]
  const inner = g.op1('MatMul', [x, xt], `${hint}_inner`); // [B, N, N]
  const sq = g.op1('ReduceSumSquare', [x], `${hint}_sq`, [
    { name: 'axes', type: 'ints', ints: [2] },
    { name: 'keepdims', type: 'int', i: 1 },
  ]); // [B, N, 1]
  const sqT = g.transpose(sq, [0, 2, 1], `${hint}_sqT`); // [B, 1, N]
  const twice = g.op1('Mul', [inner, g.scalar(`${hint}_two`, 2)], `${hint}_2inner`);
  const score = g.op1('Sub', [g.op1('Sub', [twice, sq], `${hint}_s1`), sqT], `${hint}_score`);
  const [, idx] = g.op(
    'TopK',
    [score, g.ints(`${hint}_k`, [k])],
    `${hint}_topk`,
    [
      { name: 'axis', type: 'int', i: -1 },
      { name: 'largest', type: 'int', i: 1 },
      { name: 'sorted', type: 'int', i: 1 },
    ],
    2,
  );
  return idx!;
}
