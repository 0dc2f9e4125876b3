import type { BenchReport } from '../report';
import { errorLine, type Loaded, loadOrt, noteOrtStart, type OrtProvider, webgpuMissing } from './runtimes';
import { medianWall, type TimingBudget } from './timing';

/** One prepared implementation of a case: run() resolves when its GPU (or CPU) work is done. */
export interface Runner {
  run(): Promise<void>;
  release(): Promise<void> | void;
  /**
   * Figures checking its result against ours (max |diff|, differing neighbour lists...), computed
   * on the same inputs before the timed runs.
   */
  check?(): Promise<Record<string, number | string>>;
  /** Figures measured over the runs (e.g. peak GPU bytes), read after timing. */
  figures?(): Record<string, number | string>;
}

/** Someone else's implementation of the case, by label ("ort-webgpu", "tfjs-webgpu"...). */
export interface Contender {
  label: string;
  prepare(): Promise<Loaded<Runner>>;
}

/**
 * Times ours and each contender on the same work (wall clock, median of warm runs, one at a time)
 * and adds one case: `<label> ms` per runtime (or why it is unavailable) and `ours/<label>` ratios
 * (our time over theirs: below 1, ours is faster).
 */
export async function compareCase(
  report: BenchReport,
  section: string,
  name: string,
  ours: Runner,
  contenders: readonly Contender[],
  budget: TimingBudget,
  extra: Record<string, number | string> = {},
  workUnits?: { label: string; amount: number },
): Promise<void> {
  report.note(`${section} ${name}: ours...`);
  const mine = await medianWall(() => ours.run(), budget);
  const figures: Record<string, number | string> = { ...extra, 'ours ms': mine.ms };
  if (workUnits) figures[`ours ${workUnits.label}`] = workUnits.amount / (mine.ms / 1000);
  const ratios: Record<string, number> = {};
  for (const c of contenders) {
    if (report.options.skip?.includes(c.label)) {
      figures[`${c.label} ms`] = 'skipped (--skip)';
      continue;
    }
    report.note(`${section} ${name}: ${c.label}...`);
    let prepared: Loaded<Runner>;
    try {
      prepared = await c.prepare();
    } catch (e) {
      prepared = { ok: false, reason: `failed: ${errorLine(e)}` };
    }
    if (!prepared.ok) {
      figures[`${c.label} ms`] = prepared.reason;
      continue;
    }
    const r = prepared.value;
    try {
      const checked = r.check ? await r.check() : {};
      const t = await medianWall(() => r.run(), budget);
      figures[`${c.label} ms`] = t.ms;
      if (workUnits) figures[`${c.label} ${workUnits.label}`] = workUnits.amount / (t.ms / 1000);
      ratios[`ours/${c.label}`] = mine.ms / t.ms;
      for (const [k, v] of Object.entries({ ...checked, ...r.figures?.() })) figures[`${c.label} ${k}`] = v;
    } catch (e) {
      figures[`${c.label} ms`] = `failed: ${errorLine(e)}`;
    } finally {
      await r.release();
    }
  }
  figures.timing = `wall, median of warm runs (ours ${mine.runs})`;
  report.add({ section, name, figures, ratios });
}

export interface OrtInput {
  data: Float32Array;
  dims: number[];
}

export type OrtOutputs = Record<string, Float32Array | BigInt64Array | Int32Array>;

/**
 * An onnxruntime-web session on one execution provider. WebGPU: inputs live in GPU buffers on
 * ORT's device and outputs stay there (preferredOutputLocation "gpu-buffer"), so a run is timed
 * as our kernels are (no uploads or readbacks), and ends when ORT's queue is idle. WASM: CPU
 * tensors, as that provider takes them.
 */
export function ortContender(
  provider: OrtProvider,
  model: () => Uint8Array,
  inputs: () => Record<string, OrtInput>,
  check?: (out: OrtOutputs) => Record<string, number | string>,
): Contender {
  const label = `ort-${provider}`;
  return {
    label,
    async prepare() {
      const loaded = await loadOrt();
      if (!loaded.ok) return loaded;
      const ort = loaded.value;
      if (provider === 'webgpu') {
        const missing = await webgpuMissing();
        if (missing) return { ok: false, reason: `ORT WebGPU EP: ${missing}` };
      }
      noteOrtStart();
      const session = await ort.InferenceSession.create(model(), {
        executionProviders: [provider],
        ...(provider === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
        graphOptimizationLevel: 'all',
      });
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      const owned: GPUBuffer[] = [];
      let device: GPUDevice | undefined;
      if (provider === 'webgpu') {
        device = (await ort.env.webgpu.device) as GPUDevice;
        for (const [name, x] of Object.entries(inputs())) {
          const buf = device.createBuffer({
            size: Math.ceil(x.data.byteLength / 16) * 16,
            usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
          });
          device.queue.writeBuffer(buf, 0, x.data.buffer, x.data.byteOffset, x.data.byteLength);
          owned.push(buf);
          feeds[name] = ort.Tensor.fromGpuBuffer(buf, { dataType: 'float32', dims: x.dims });
        }
      } else {
        for (const [name, x] of Object.entries(inputs()))
          feeds[name] = new ort.Tensor('float32', x.data, x.dims);
      }
      const runOnce = async (keep: boolean) => {
        const out = await session.run(feeds);
        if (device) await device.queue.onSubmittedWorkDone();
        if (!keep) for (const t of Object.values(out)) t.dispose();
        return out;
      };
      return {
        ok: true,
        value: {
          run: async () => {
            await runOnce(false);
          },
          async release() {
            await session.release();
            for (const b of owned) b.destroy();
          },
          check: check
            ? async () => {
                const out = await runOnce(true);
                const host: OrtOutputs = {};
                for (const [k, t] of Object.entries(out)) {
                  host[k] = (await t.getData()) as Float32Array | BigInt64Array | Int32Array;
                  t.dispose();
                }
                return check(host);
              }
            : undefined,
        },
      };
    },
  };
}
