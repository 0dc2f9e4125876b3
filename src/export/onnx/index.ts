/**
 * ONNX export of trained point encoders, as pure functions (bytes in, bytes out), so the CLI, the
 * app's "Export ONNX" action and the benchmarks share one path. Nothing here touches the GPU.
 */
import type { HostTensors } from '../../nn/param-store';
import { type EncoderModel, loadEncoderWeights, WeightsError } from '../../nn/weights';
import { buildDgcnnOnnx, type DgcnnOnnxOptions } from './dgcnn-onnx';
import { OnnxExportError } from './errors';

export { buildDgcnnOnnx, type DgcnnOnnxOptions, ONNX_OPSET } from './dgcnn-onnx';
export { buildKnnOnnx, buildMatmulOnnx } from './bench-graphs';
export { OnnxExportError } from './errors';
export { buildPartSegOnnx, type PartSegOnnxOptions } from './partseg-onnx';

/** A .onnx file of `model` with `values` (a DGCNN's tensors by reference name, as ParamStore.download gives). */
export function exportEncoderOnnx(model: EncoderModel, values: HostTensors, o: DgcnnOnnxOptions): Uint8Array {
  if (model.kind !== 'dgcnn')
    throw new OnnxExportError(`ONNX export supports the DGCNN encoder, not ${model.kind}`);
  return buildDgcnnOnnx(model.config, values, o);
}

/** A .onnx file from the bytes of a point-encoder .safetensors file (bare or point_model.* names). */
export function exportOnnxFromSafetensors(bytes: Uint8Array, o: DgcnnOnnxOptions): Uint8Array {
  let w: ReturnType<typeof loadEncoderWeights>;
  try {
    w = loadEncoderWeights(bytes, { kind: 'dgcnn', k: o.k });
  } catch (e) {
    if (e instanceof WeightsError) throw new OnnxExportError(e.message);
    throw e;
  }
  return exportEncoderOnnx(w.model, w.values, { ...o, metadata: { ...w.metadata, ...o.metadata } });
}
