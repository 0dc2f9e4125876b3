/**
 * The runtimes we compare against, loaded on demand: onnxruntime-web (WebGPU and WASM execution
 * providers) and TensorFlow.js (WebGPU backend). Each loader returns the module or the reason it
 * is unavailable ("not installed", "no WebGPU adapter"...), so a case can say so in its line
 * instead of being dropped.
 */
import type * as OrtModule from 'onnxruntime-web';
import type * as TfModule from '@tensorflow/tfjs-core';

export type Ort = typeof OrtModule;
export type Tf = typeof TfModule;

export type Loaded<T> = { ok: true; value: T } | { ok: false; reason: string };

export type OrtProvider = 'webgpu' | 'wasm';

let ortPromise: Promise<Loaded<Ort>> | undefined;

/** onnxruntime-web's bundle with both the WebGPU and the WASM execution providers. */
export function loadOrt(): Promise<Loaded<Ort>> {
  ortPromise ??= (async (): Promise<Loaded<Ort>> => {
    try {
      const mod = (await import('onnxruntime-web/webgpu')) as unknown as Ort & { default?: Ort };
      return { ok: true, value: mod.InferenceSession ? mod : mod.default! };
    } catch (e) {
      return { ok: false, reason: `onnxruntime-web not installed (${errorLine(e)})` };
    }
  })();
  return ortPromise;
}

let ortInNode = false;

/**
 * True once onnxruntime-web has started a session in this Node process (either execution provider:
 * both run its Emscripten Wasm runtime). After that, jax-js's
 * runs in the same process never finish (its first dispatch waits forever, on WebGPU and on Wasm
 * alike; seen with Node 20, onnxruntime-web 1.30.0, jax-js 0.1.25), so the jax-js contenders step
 * aside with a reason instead of hanging the run. Pages are not affected.
 */
export function ortRanInNode(): boolean {
  return ortInNode;
}

/** Called by the ORT contender before it starts a session. */
export function noteOrtStart(): void {
  const g = globalThis as { process?: { versions?: { node?: string } }; document?: unknown };
  if (g.process?.versions?.node && g.document === undefined) ortInNode = true;
}

/** Why a WebGPU-based runtime cannot run here, or undefined when navigator.gpu has an adapter. */
export async function webgpuMissing(): Promise<string | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return 'no navigator.gpu';
  try {
    return (await gpu.requestAdapter()) ? undefined : 'no WebGPU adapter';
  } catch (e) {
    return `requestAdapter failed: ${(e as Error).message}`;
  }
}

let tfPromise: Promise<Loaded<Tf>> | undefined;

/**
 * TensorFlow.js core with its WebGPU backend selected. Packages (devDependencies):
 * @tensorflow/tfjs-core and @tensorflow/tfjs-backend-webgpu, same version (4.22.0 here).
 */
export function loadTfWebgpu(): Promise<Loaded<Tf>> {
  tfPromise ??= (async (): Promise<Loaded<Tf>> => {
    let tf: Tf;
    try {
      tf = (await import('@tensorflow/tfjs-core')) as Tf;
      // tfjs-core alone registers no gradients (the @tensorflow/tfjs union package does). In Node
      // its ESM modules need node-setup.ts's resolve hook (they import without extensions).
      await import('@tensorflow/tfjs-core/dist/register_all_gradients');
      await import('@tensorflow/tfjs-backend-webgpu');
    } catch (e) {
      return { ok: false, reason: `TensorFlow.js not installed (${errorLine(e)})` };
    }
    const missing = await webgpuMissing();
    if (missing) return { ok: false, reason: `TF.js WebGPU backend: ${missing}` };
    try {
      if (!(await tf.setBackend('webgpu')))
        return { ok: false, reason: 'TF.js WebGPU backend failed to initialise' };
      await tf.ready();
    } catch (e) {
      return { ok: false, reason: `TF.js WebGPU backend: ${(e as Error).message}` };
    }
    return { ok: true, value: tf };
  })();
  return tfPromise;
}

/** Waits until every dispatch TF.js recorded has run (its backend batches them into one submit). */
export async function tfFinish(tf: Tf): Promise<void> {
  const backend = tf.backend() as unknown as {
    commandEncoder: GPUCommandEncoder | null;
    endComputePassEncoder(): void;
    submitQueue(): void;
    device: GPUDevice;
  };
  if (backend.commandEncoder) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
  await backend.device.queue.onSubmittedWorkDone();
}

/** A version string of each runtime, for the report's header line. */
export async function runtimeVersions(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ort = await loadOrt();
  if (ort.ok) out['onnxruntime-web'] = ort.value.env.versions?.web ?? '?';
  try {
    const tf = (await import('@tensorflow/tfjs-core')) as Tf;
    out['@tensorflow/tfjs-core'] = tf.version_core;
  } catch {
    out['@tensorflow/tfjs-core'] = 'not installed';
  }
  return out;
}

/** The first line of an error's message (ORT sometimes throws plain strings). */
export function errorLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!;
}
