import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { KernelChoice, VariantCache } from '../kernels/variant-probe';

/**
 * Where the CLI keeps the variant probe's choices: $CROSSPOINT_CACHE_DIR, else
 * $XDG_CACHE_HOME/crosspoint, else ~/.cache/crosspoint; one JSON file, an entry per adapter key.
 */
export function variantCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.CROSSPOINT_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'crosspoint');
  return join(dir, 'kernel-variants.json');
}

function readAll(file: string): Record<string, KernelChoice> {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, KernelChoice>) : {};
  } catch {
    return {}; // missing or unreadable: every adapter probes again, and the next save rewrites it
  }
}

/** The probe's cache as a JSON file (written whole through a temporary file, so a crash leaves the old one). */
export function fileVariantCache(file = variantCacheFile()): VariantCache {
  return {
    load: async (key) => readAll(file)[key],
    async save(key, choice) {
      const all = readAll(file);
      all[key] = choice;
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
      renameSync(tmp, file);
    },
  };
}

/** The runtime part of the cache key in Node: the WebGPU binding (Dawn) and Node's version. */
export async function nodeRuntime(): Promise<string> {
  let webgpu = '?';
  try {
    const { createRequire } = await import('node:module');
    webgpu = (createRequire(import.meta.url)('webgpu/package.json') as { version: string }).version;
  } catch {
    // keep '?': the key still names Node's version
  }
  return `node ${process.versions.node}; webgpu (dawn.node) ${webgpu}`;
}
