/**
 * Compute pipelines keyed by (WGSL source, entry point, override constants). Shader modules are
 * shared between pipelines of the same source. Creation is async so compile errors surface as
 * rejected promises with the compiler's message, at plan time rather than mid-step.
 */
export type OverrideConstants = Record<string, number>;

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private moduleIds = new Map<string, number>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  module(code: string, label?: string): GPUShaderModule {
    let m = this.modules.get(code);
    if (!m) {
      m = this.device.createShaderModule({ code, label });
      this.modules.set(code, m);
      this.moduleIds.set(code, this.moduleIds.size);
    }
    return m;
  }

  compute(code: string, entryPoint: string, constants: OverrideConstants = {}, label?: string) {
    const module = this.module(code, label);
    const key = `${this.moduleIds.get(code)}|${entryPoint}|${stableKey(constants)}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device
        .createComputePipelineAsync({
          label: label ? `${label}:${entryPoint}` : entryPoint,
          layout: 'auto',
          compute: { module, entryPoint, constants },
        })
        .catch(async (e: unknown) => {
          this.pipelines.delete(key);
          const info = await module.getCompilationInfo();
          const msgs = info.messages
            .filter((m) => m.type === 'error')
            .map((m) => `${label ?? 'shader'}:${m.lineNum}:${m.linePos}: ${m.message}`);
          throw new Error(
            `cannot build pipeline ${label ?? ''}:${entryPoint}: ${msgs.join('; ') || (e as Error).message}`,
          );
        });
      this.pipelines.set(key, p);
    }
    return p;
  }
}

function stableKey(c: OverrideConstants): string {
  return Object.keys(c)
    .sort()
    .map((k) => `${k}=${c[k]}`)
    .join(',');
}
