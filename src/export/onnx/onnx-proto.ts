import { ProtoWriter } from './protobuf';

/**
 * The subset of ONNX's protobuf schema (onnx.proto, IR version 8) this exporter writes, as plain
 * objects, and their serialisation. Field numbers are ONNX's; only what a standard-op inference
 * graph needs is modelled (no sparse tensors, functions, training info or external data).
 */

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
export type OnnxElemType = typeof ONNX_FLOAT | typeof ONNX_INT32 | typeof ONNX_INT64;

/** ONNX IR version 8 pairs with opsets 17 and 18. */
export const ONNX_IR_VERSION = 8;

export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  /** Float32Array → FLOAT, Int32Array → INT32, BigInt64Array → INT64; stored as raw_data (little-endian). */
  data: Float32Array | Int32Array | BigInt64Array;
}

export type OnnxAttr =
  | { name: string; type: 'float'; f: number }
  | { name: string; type: 'int'; i: number }
  | { name: string; type: 'ints'; ints: readonly number[] }
  | { name: string; type: 'string'; s: string };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attrs?: readonly OnnxAttr[];
}

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxElemType;
  /** A number is a fixed size, a string a symbolic one (dim_param). */
  dims: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  doc?: string;
}

export interface OnnxModel {
  graph: OnnxGraph;
  opset: number;
  producerName: string;
  producerVersion: string;
  doc?: string;
  metadata?: Record<string, string>;
}

function elemTypeOf(t: OnnxTensor): OnnxElemType {
  if (t.data instanceof Float32Array) return ONNX_FLOAT;
  if (t.data instanceof Int32Array) return ONNX_INT32;
  return ONNX_INT64;
}

/** Little-endian bytes of a typed array (copied on a big-endian host, a view otherwise). */
function rawBytes(a: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (little) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const dv = new DataView(out.buffer);
  const size = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < a.length; i++) {
    if (a instanceof BigInt64Array) dv.setBigInt64(i * size, a[i]!, true);
    else if (a instanceof Int32Array) dv.setInt32(i * size, a[i]!, true);
    else dv.setFloat32(i * size, a[i]!, true);
  }
  return out;
}

function tensorProto(t: OnnxTensor): ProtoWriter {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (n !== t.data.length)
    throw new Error(`ONNX tensor "${t.name}": dims hold ${n} values, data ${t.data.length}`);
  const w = new ProtoWriter();
  if (t.dims.length) w.packedInts(1, t.dims);
  w.int(2, elemTypeOf(t));
  w.string(8, t.name);
  w.bytes(9, rawBytes(t.data));
  return w;
}

function attrProto(a: OnnxAttr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  // AttributeProto.type: FLOAT 1, INT 2, STRING 3, INTS 7.
  switch (a.type) {
    case 'float':
      return w.float(2, a.f).int(20, 1);
    case 'int':
      return w.int(3, a.i).int(20, 2);
    case 'string':
      return w.string(4, a.s).int(20, 3);
    case 'ints':
      return w.packedInts(8, a.ints).int(20, 7);
  }
}

function nodeProto(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const a of n.attrs ?? []) w.message(5, attrProto(a));
  return w;
}

function valueInfoProto(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

function graphProto(g: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, nodeProto(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensorProto(t));
  if (g.doc) w.string(10, g.doc);
  for (const v of g.inputs) w.message(11, valueInfoProto(v));
  for (const v of g.outputs) w.message(12, valueInfoProto(v));
  return w;
}

/** Serialises a model to the bytes of a .onnx file. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, ONNX_IR_VERSION);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.doc) w.string(6, m.doc);
  w.message(7, graphProto(m.graph));
  w.message(8, new ProtoWriter().string(1, '').int(2, m.opset));
  for (const [k, v] of Object.entries(m.metadata ?? {})) {
    w.message(14, new ProtoWriter().string(1, k).string(2, v));
  }
  return w.finish();
}
