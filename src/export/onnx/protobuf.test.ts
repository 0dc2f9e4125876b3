import { describe, expect, it } from 'vitest';
import { encodeOnnxModel, ONNX_FLOAT } from './onnx-proto';
import { ProtoWriter } from './protobuf';

const bytes = (w: ProtoWriter) => Array.from(w.finish());

describe('protobuf writer (wire format)', () => {
  it('encodes varints, negative int64s, fixed32 floats and nested messages as protobuf does', () => {
    expect(bytes(new ProtoWriter().int(1, 150))).toEqual([0x08, 0x96, 0x01]);
    expect(bytes(new ProtoWriter().int(2, 0))).toEqual([0x10, 0x00]);
    // -1 as int64: ten bytes of two's complement.
    expect(bytes(new ProtoWriter().int(1, -1))).toEqual([0x08, ...Array(9).fill(0xff), 0x01]);
    expect(bytes(new ProtoWriter().float(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect(bytes(new ProtoWriter().string(4, 'ab'))).toEqual([0x22, 0x02, 0x61, 0x62]);
    expect(bytes(new ProtoWriter().packedInts(1, [3, 270]))).toEqual([0x0a, 0x03, 0x03, 0x8e, 0x02]);
    const inner = new ProtoWriter().int(1, 1);
    expect(bytes(new ProtoWriter().message(3, inner).int(4, 2))).toEqual([
      0x1a, 0x02, 0x08, 0x01, 0x20, 0x02,
    ]);
  });

  it('keeps large payloads intact across its internal chunks', () => {
    const data = new Uint8Array(1000).map((_, i) => i % 251);
    const out = new ProtoWriter().int(1, 7).bytes(2, data).int(3, 9).finish();
    expect(Array.from(out.subarray(0, 5))).toEqual([0x08, 0x07, 0x12, 0xe8, 0x07]);
    expect(Array.from(out.subarray(5, 1005))).toEqual(Array.from(data));
    expect(Array.from(out.subarray(1005))).toEqual([0x18, 0x09]);
  });

  it('starts a ModelProto with ir_version 8 and names the opset', () => {
    const m = encodeOnnxModel({
      graph: {
        name: 'g',
        nodes: [],
        initializers: [],
        inputs: [],
        outputs: [{ name: 'y', elemType: ONNX_FLOAT, dims: [1] }],
      },
      opset: 17,
      producerName: 'p',
      producerVersion: '1',
    });
    expect(Array.from(m.subarray(0, 2))).toEqual([0x08, 0x08]);
    // opset_import (field 8): { domain "", version 17 }.
    const tail = Array.from(m.subarray(m.length - 6));
    expect(tail).toEqual([0x42, 0x04, 0x0a, 0x00, 0x10, 0x11]);
  });
});
