/**
 * Constants the WGSL and its TypeScript launchers both depend on, written once here. The shader
 * loader (shaders/loader.ts) appends them to every shader as `const NAME: u32 = <value>u;`, so
 * a WGSL file uses the name and never repeats the number. Pure data: no GPU, no WGSL import.
 */
export const SHADER_CONSTANTS = {
  /** kNN: largest k (the private top-k arrays of shaders/knn.wgsl have this many slots). */
  KNN_MAX_K: 64,
  /** kNN: most candidate splits (the merge keeps one head per split in private memory). */
  KNN_MAX_SPLITS: 16,
  /** kNN: candidates per staged tile (the shader's 8 named vec4 accumulators). */
  KNN_TILE: 32,
  /** kNN: channels per staged chunk of the workgroup tile [KNN_CHANNEL_CHUNK, KNN_TILE]. */
  KNN_CHANNEL_CHUNK: 64,
} as const;

/** The WGSL declarations of SHADER_CONSTANTS. */
export function shaderConstantsWgsl(): string {
  return Object.entries(SHADER_CONSTANTS)
    .map(([name, v]) => `const ${name}: u32 = ${v}u;`)
    .join('\n');
}
