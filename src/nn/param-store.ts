import type { BufferArena } from '../gpu/arena';
import { readF32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { type ParamSpec, numel } from './param-spec';

/** One model tensor on the GPU. Trainable tensors also carry a gradient buffer (same shape). */
export interface ParamTensor {
  spec: ParamSpec;
  n: number;
  value: GPUBuffer;
  grad?: GPUBuffer;
}

export type HostTensors = Map<string, Float32Array | BigInt64Array>;

/**
 * The GPU-resident state of a model: every float tensor of its ParamSpec list, by reference
 * name, allocated once in an arena (groups "weights", "grads", "bn-stats"). Counters
 * (num_batches_tracked) live on the CPU, since nothing on the GPU reads them.
 */
export class ParamStore {
  readonly tensors = new Map<string, ParamTensor>();
  readonly counters = new Map<string, bigint>();

  constructor(
    private readonly ctx: GpuContext,
    arena: BufferArena,
    readonly specs: readonly ParamSpec[],
    /** Prefix for arena names, so two models can share an arena ("point." / "image."). */
    readonly prefix = '',
    /** Gradient buffers for the trainable tensors (false: an eval-only model, trainable() is empty). */
    grads = true,
  ) {
    for (const spec of specs) {
      if (spec.dtype === 'I64') {
        this.counters.set(spec.name, 0n);
        continue;
      }
      const n = numel(spec.shape);
      const group = spec.trainable ? 'weights' : 'bn-stats';
      const value = arena.alloc(`${prefix}${spec.name}`, n * 4, group);
      const grad =
        spec.trainable && grads ? arena.alloc(`${prefix}${spec.name}.grad`, n * 4, 'grads') : undefined;
      this.tensors.set(spec.name, { spec, n, value, grad });
    }
  }

  get(name: string): ParamTensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`no parameter "${name}"`);
    return t;
  }

  value(name: string): GPUBuffer {
    return this.get(name).value;
  }

  grad(name: string): GPUBuffer {
    const g = this.get(name).grad;
    if (!g) throw new Error(`parameter "${name}" is not trainable`);
    return g;
  }

  trainable(): ParamTensor[] {
    return [...this.tensors.values()].filter((t) => t.grad);
  }

  /** Upload host values (e.g. fresh init or a loaded file). Every float tensor must be present. */
  upload(values: HostTensors): void {
    for (const [name, t] of this.tensors) {
      const v = values.get(name);
      if (!(v instanceof Float32Array)) throw new Error(`missing float tensor "${name}"`);
      if (v.length !== t.n) throw new Error(`tensor "${name}" has ${v.length} values, expected ${t.n}`);
      this.ctx.device.queue.writeBuffer(t.value, 0, v.buffer, v.byteOffset, v.byteLength);
    }
    for (const name of this.counters.keys()) {
      const c = values.get(name);
      this.counters.set(name, c instanceof BigInt64Array && c.length ? c[0]! : 0n);
    }
  }

  /** Download every tensor (floats and counters) to the host, by reference name. */
  async download(): Promise<HostTensors> {
    const out: HostTensors = new Map();
    for (const spec of this.specs) {
      if (spec.dtype === 'I64') out.set(spec.name, BigInt64Array.of(this.counters.get(spec.name) ?? 0n));
      else out.set(spec.name, await readF32(this.ctx, this.get(spec.name).value, this.get(spec.name).n));
    }
    return out;
  }

  async downloadGrads(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const t of this.trainable()) out.set(t.spec.name, await readF32(this.ctx, t.grad!, t.n));
    return out;
  }

  /** Count one training-mode forward in every BatchNorm of the model (PyTorch's num_batches_tracked). */
  countBatch(): void {
    for (const [k, v] of this.counters) this.counters.set(k, v + 1n);
  }
}
