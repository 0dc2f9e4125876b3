import { register } from 'node:module';

/**
 * Gives onnxruntime-web and TensorFlow.js a navigator.gpu in Node (dawn.node, the npm `webgpu`
 * package our engine uses too), so their WebGPU backends run on the same adapter as ours.
 *
 * Two shims for ORT's WebGPU EP, neither of which changes what other callers (ours, TF.js) get:
 * dawn.node 0.6 accepts a bind-group resource only as { buffer }, while ORT passes a GPUBuffer
 * directly (allowed by the current WebGPU spec), so such entries are wrapped; and dawn.node refuses
 * writeBuffer from a SharedArrayBuffer view (ORT's WebAssembly memory), so those are copied.
 */
export async function setupNodeWebgpu(): Promise<void> {
  allowExtensionlessTfjsImports();
  const g = globalThis as unknown as { navigator?: { gpu?: unknown }; GPUDevice?: { prototype: GPUDevice } };
  if (g.navigator?.gpu) return;
  const mod = await import('webgpu');
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  // Keep the GPU object reachable for the life of the process (dawn.node aborts if it is collected).
  (globalThis as { __crosspointBenchGpu?: unknown }).__crosspointBenchGpu = gpu;
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else
    Object.defineProperty(globalThis, 'navigator', {
      // jax-js's WebGPU backend reads navigator.userAgent (Node 21+ has one, Node 20 no navigator).
      value: { gpu, userAgent: `Node.js/${process.versions.node}` },
      configurable: true,
      writable: true,
    });
  // ORT writes from its WebAssembly memory, a SharedArrayBuffer, which dawn.node refuses: copy.
  const queue = (globalThis as unknown as { GPUQueue: { prototype: GPUQueue } }).GPUQueue.prototype;
  const write = queue.writeBuffer;
  queue.writeBuffer = function (this: GPUQueue, buf, offset, data, dataOffset?, size?) {
    const shared = ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer;
    // A copy of the same element type, so dataOffset and size (in elements) keep their meaning.
    const src = shared
      ? new (data.constructor as Float32ArrayConstructor)(data as unknown as Float32Array)
      : data;
    return write.call(this, buf, offset, src as GPUAllowSharedBufferSource, dataOffset, size);
  } as GPUQueue['writeBuffer'];
  const proto = g.GPUDevice!.prototype;
  const create = proto.createBindGroup;
  proto.createBindGroup = function (this: GPUDevice, desc: GPUBindGroupDescriptor) {
    const entries = [...desc.entries].map((e) =>
      e.resource instanceof GPUBuffer ? { ...e, resource: { buffer: e.resource } } : e,
    );
    return create.call(this, { ...desc, entries });
  };
}

/**
 * tfjs-core's ESM files (dist/*.js, e.g. register_all_gradients, which Node must load since the
 * CommonJS build leaves the gradients out) import each other without the ".js" Node's ESM loader
 * requires. This resolve hook retries such relative imports under @tensorflow/ with ".js". TF.js
 * keeps its engine and registries on globalThis, so these modules register into the live engine.
 */
function allowExtensionlessTfjsImports(): void {
  const hook = `export async function resolve(spec, ctx, next) {
    try { return await next(spec, ctx); } catch (e) {
      if (!/^\\.\\.?\\//.test(spec) || !String(ctx.parentURL).includes('/@tensorflow/')) throw e;
      return next(spec + '.js', ctx);
    }
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
