import type { OnnxAttr, OnnxGraph, OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-proto';

/**
 * Builds an ONNX graph node by node. Every op method returns the name of its (first) output, a
 * fresh name derived from `hint`, so graphs read like straight-line code.
 */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private readonly used = new Set<string>();

  /** A name not used yet: `hint`, else `hint_2`, `hint_3`... */
  fresh(hint: string): string {
    let name = hint;
    for (let i = 2; this.used.has(name); i++) name = `${hint}_${i}`;
    this.used.add(name);
    return name;
  }

  input(v: OnnxValueInfo): string {
    this.used.add(v.name);
    this.inputs.push(v);
    return v.name;
  }

  output(v: OnnxValueInfo): void {
    this.outputs.push(v);
  }

  /** A constant tensor (an initializer). */
  tensor(hint: string, dims: readonly number[], data: Float32Array | Int32Array | BigInt64Array): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [...dims], data });
    return name;
  }

  /** An int64 1-D constant (shapes, axes, k). */
  ints(hint: string, values: readonly number[]): string {
    return this.tensor(
      hint,
      [values.length],
      BigInt64Array.from(values, (v) => BigInt(v)),
    );
  }

  /** A float scalar constant (rank 0). */
  scalar(hint: string, v: number): string {
    return this.tensor(hint, [], Float32Array.of(v));
  }

  op(op: string, inputs: readonly string[], hint: string, attrs: OnnxAttr[] = [], nOut = 1): string[] {
    const outputs = Array.from({ length: nOut }, (_, i) => this.fresh(nOut === 1 ? hint : `${hint}_${i}`));
    this.nodes.push({ op, inputs, outputs, name: this.fresh(`${op}_${outputs[0]}`), attrs });
    return outputs;
  }

  op1(op: string, inputs: readonly string[], hint: string, attrs: OnnxAttr[] = []): string {
    return this.op(op, inputs, hint, attrs)[0]!;
  }

  transpose(x: string, perm: readonly number[], hint: string): string {
    return this.op1('Transpose', [x], hint, [{ name: 'perm', type: 'ints', ints: perm }]);
  }

  reshape(x: string, shape: readonly number[], hint: string): string {
    return this.op1('Reshape', [x, this.ints(`${hint}_shape`, shape)], hint);
  }

  /** ReduceMax / ReduceMean with axes as an attribute (opset 17; they take an input from opset 18). */
  reduce(
    op: 'ReduceMax' | 'ReduceMean',
    x: string,
    axes: readonly number[],
    keepdims: boolean,
    hint: string,
  ) {
    return this.op1(op, [x], hint, [
      { name: 'axes', type: 'ints', ints: axes },
      { name: 'keepdims', type: 'int', i: keepdims ? 1 : 0 },
    ]);
  }

  graph(name: string, doc?: string): OnnxGraph {
    return {
      name,
      doc,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
    };
  }
}
