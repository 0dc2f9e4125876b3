import type { GpuContext } from './context';
import { formatBytes } from './errors';
import { checkBufferSize } from './limits';

export interface ArenaEntry {
  name: string;
  group: string;
  bytes: number;
  buffer: GPUBuffer;
}

/**
 * Owns the buffers of one plan (a model at a batch size, a benchmark case...). Every buffer has
 * a name and a group ("weights", "activations", "grads", ...) so the byte budget can be printed.
 * Allocation happens once, when the plan is built; nothing allocates during a step.
 */
export class BufferArena {
  private readonly entries = new Map<string, ArenaEntry>();

  constructor(
    private readonly ctx: GpuContext,
    /** The setting a user should lower when a buffer is too large, e.g. "--batch or --points". */
    private readonly lower = 'the batch size or the point count',
  ) {}

  /** A storage buffer of `bytes` bytes (rounded up to 4). Names are unique within the arena. */
  alloc(name: string, bytes: number, group = 'other', extraUsage = 0): GPUBuffer {
    if (this.entries.has(name)) throw new Error(`arena: buffer "${name}" allocated twice`);
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    checkBufferSize(this.ctx.limits, size, `buffer "${name}"`, this.lower);
    const buffer = this.ctx.device.createBuffer({
      label: name,
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
    });
    this.entries.set(name, { name, group, bytes: size, buffer });
    return buffer;
  }

  get(name: string): GPUBuffer {
    const e = this.entries.get(name);
    if (!e) throw new Error(`arena: no buffer "${name}"`);
    return e.buffer;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get totalBytes(): number {
    let t = 0;
    for (const e of this.entries.values()) t += e.bytes;
    return t;
  }

  /** Bytes by group, largest first. */
  byGroup(): Record<string, number> {
    const g: Record<string, number> = {};
    for (const e of this.entries.values()) g[e.group] = (g[e.group] ?? 0) + e.bytes;
    return Object.fromEntries(Object.entries(g).sort((a, b) => b[1] - a[1]));
  }

  list(): readonly ArenaEntry[] {
    return [...this.entries.values()];
  }

  /** A printable budget: one line per group and a total. */
  describe(): string {
    const lines = Object.entries(this.byGroup()).map(([g, b]) => `  ${g.padEnd(14)} ${formatBytes(b)}`);
    return [...lines, `  ${'total'.padEnd(14)} ${formatBytes(this.totalBytes)}`].join('\n');
  }

  destroy(): void {
    for (const e of this.entries.values()) e.buffer.destroy();
    this.entries.clear();
  }
}
