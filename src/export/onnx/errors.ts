/** A model the exporter cannot write (unsupported encoder, k above the point count, missing tensor). */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}
