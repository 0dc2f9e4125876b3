import { existsSync } from 'node:fs';
import { acquireContext, type GpuContext } from './context';
import { GpuUnavailableError } from './errors';

/** Debian's Chromium ships SwiftShader's Vulkan ICD here; used when the user set none. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Acquire a device in Node through dawn.node (npm `webgpu`). The Vulkan loader reads
 * VK_ICD_FILENAMES when dawn loads, so it is set here, before the import, if the user set nothing.
 */
export async function acquireNodeContext(): Promise<GpuContext> {
  process.env.NODEVICE_SELECT ??= '1'; // hides Mesa's harmless XDG_RUNTIME_DIR warning
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    throw new GpuUnavailableError(
      `The Node WebGPU binding (npm "webgpu") failed to load: ${(e as Error).message}`,
      'Run npm install; on Linux also apt-get install libvulkan1 chromium.',
    );
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  return acquireContext(gpu, 'node', { keepAlive: gpu });
}
