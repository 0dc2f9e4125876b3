/**
 * jax-js (`@jax-js/jax`, devDependency) as a contender: the one maintained library that trains on
 * WebGPU in a browser (autodiff, `jit` kernel fusion). Each case is written the natural jax way
 * (numpy ops under `jit`, gradients with `grad`), on its WebGPU backend ("jax-webgpu", browsers;
 * in Node it gets dawn.node's navigator.gpu from node-setup.ts) and on its Wasm backend
 * ("jax-wasm", multi-threaded where SharedArrayBuffer and Worker exist, i.e. a cross-origin
 * isolated page; one thread in Node). jax-js keeps its own GPUDevice on the same adapter as ours.
 */
import type * as JaxModule from '@jax-js/jax';
import pkg from '../../package.json';
import type { Contender, Runner } from './contender';
import { errorLine, type Loaded, ortRanInNode } from './runtimes';

export type Jax = typeof JaxModule;
export type JaxArray = JaxModule.Array;
export type JaxDevice = 'webgpu' | 'wasm';

let jaxPromise: Promise<Loaded<Jax>> | undefined;
const inited = new Map<JaxDevice, Promise<string | undefined>>();

/** The jax-js module with `device` initialised, or why it cannot run here. */
export async function loadJax(device: JaxDevice): Promise<Loaded<Jax>> {
  jaxPromise ??= (async (): Promise<Loaded<Jax>> => {
    try {
      return { ok: true, value: (await import('@jax-js/jax')) as Jax };
    } catch (e) {
      return { ok: false, reason: `jax-js not installed (${errorLine(e)})` };
    }
  })();
  const loaded = await jaxPromise;
  if (!loaded.ok) return loaded;
  const jax = loaded.value;
  let why = inited.get(device);
  if (!why) {
    why = jax.init(device).then(
      (ok) => (ok.includes(device) ? undefined : `jax-js ${device} backend unavailable here`),
      (e: unknown) => `jax-js ${device} backend: ${errorLine(e)}`,
    );
    inited.set(device, why);
  }
  const reason = await why;
  return reason ? { ok: false, reason } : loaded;
}

/** Live and peak bytes of the GPU buffers a device allocates from the moment it is wrapped. */
export interface ByteTracker {
  readonly live: number;
  readonly peak: number;
  /** Restart the peak from the current live bytes. */
  resetPeak(): void;
}

const trackers = new WeakMap<GPUDevice, ByteTracker>();

/**
 * Counts jax-js's GPU memory: wraps its device's createBuffer so each buffer adds its size until
 * destroyed. What the browser cannot tell us (driver overhead, allocator rounding) is not counted,
 * and the same holds for our figure (the sizes of the buffers we create).
 */
export function trackDeviceBytes(device: GPUDevice): ByteTracker {
  const known = trackers.get(device);
  if (known) return known;
  let live = 0;
  let peak = 0;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (desc: GPUBufferDescriptor) => {
    const buf = create(desc);
    const size = desc.size;
    live += size;
    peak = Math.max(peak, live);
    const destroy = buf.destroy.bind(buf);
    let gone = false;
    buf.destroy = () => {
      if (!gone) live -= size;
      gone = true;
      destroy();
    };
    return buf;
  };
  const t: ByteTracker = {
    get live() {
      return live;
    },
    get peak() {
      return peak;
    },
    resetPeak() {
      peak = live;
    },
  };
  trackers.set(device, t);
  return t;
}

/** Largest |a − b| and that over the largest |b| (b is ours). */
export function maxDiffs(theirs: ArrayLike<number>, ours: ArrayLike<number>): { abs: number; rel: number } {
  if (theirs.length !== ours.length) throw new Error(`length ${theirs.length} against ours ${ours.length}`);
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    abs = Math.max(abs, Math.abs(theirs[i]! - ours[i]!));
    scale = Math.max(scale, Math.abs(ours[i]!));
  }
  return { abs, rel: abs / Math.max(scale, 1e-30) };
}

/** One case in jax-js: `run` and `check` get the module and the arrays `setup` placed on the device. */
export interface JaxCase<S> {
  /** Puts the inputs on `device` and builds the jitted functions. */
  setup(jax: Jax, device: JaxDevice): S;
  /** One timed run: returns the arrays it produced (disposed after they are ready). */
  run(jax: Jax, s: S): JaxArray | JaxArray[];
  /** Figures comparing its result with ours (computed on the same inputs, before timing). */
  check?(jax: Jax, s: S): Promise<Record<string, number | string>>;
  release(s: S): void;
}

/**
 * A jax-js contender ("jax-webgpu" / "jax-wasm"). A run resolves when its outputs are ready
 * (blockUntilReady), so, as for ours, only the work is timed, no readback. On WebGPU the line also
 * gets `peak bytes`: the most GPU memory jax-js held at once over the case, above what it held
 * before the case's inputs were placed.
 */
export function jaxContender<S>(device: JaxDevice, c: JaxCase<S>): Contender {
  return {
    label: `jax-${device}`,
    async prepare(): Promise<Loaded<Runner>> {
      if (ortRanInNode())
        return {
          ok: false,
          reason:
            'not run: jax-js stalls in a Node process where onnxruntime-web has run ' +
            '(--skip ort-webgpu,ort-wasm gives the jax-js rows)',
        };
      const loaded = await loadJax(device);
      if (!loaded.ok) return loaded;
      const jax = loaded.value;
      const tracker = device === 'webgpu' ? trackDeviceBytes(jax.getWebGPUDevice()) : undefined;
      tracker?.resetPeak();
      const base = tracker?.live ?? 0;
      const s = c.setup(jax, device);
      return {
        ok: true,
        value: {
          async run() {
            const out = c.run(jax, s);
            const list = Array.isArray(out) ? out : [out];
            await jax.blockUntilReady(list);
            for (const a of list) a.dispose();
          },
          release: () => c.release(s),
          check: c.check ? () => c.check!(jax, s) : undefined,
          figures: tracker ? () => ({ 'peak bytes': tracker.peak - base }) : undefined,
        },
      };
    },
  };
}

/** The jax-js version range this repository pins (the package exports no version string). */
export const JAX_JS_RANGE: string = pkg.devDependencies['@jax-js/jax'];

/** C = A·B, n×n, under `jit`; the check compares C with ours. */
export function jaxMatmul(
  device: JaxDevice,
  a: Float32Array,
  b: Float32Array,
  n: number,
  ours: Float32Array,
): Contender {
  type S = { a: JaxArray; b: JaxArray; f: JaxModule.OwnedFunction<(a: JaxArray, b: JaxArray) => JaxArray> };
  return jaxContender<S>(device, {
    setup: (jax, dev) => ({
      a: jax.numpy.array(a, { shape: [n, n], device: dev }),
      b: jax.numpy.array(b, { shape: [n, n], device: dev }),
      f: jax.jit((x: JaxArray, y: JaxArray) => jax.numpy.matmul(x, y)),
    }),
    run: (_jax, s) => s.f(s.a.ref, s.b.ref),
    async check(_jax, s) {
      const c = (await s.f(s.a.ref, s.b.ref).data()) as Float32Array;
      const d = maxDiffs(c, ours);
      return { 'max abs diff': d.abs, 'rel max diff': d.rel };
    },
    release(s) {
      s.a.dispose();
      s.b.dispose();
      s.f.dispose();
    },
  });
}

/**
 * kNN as DGCNN's reference writes it: −‖x_i − x_j‖² = 2 x_i·x_j − ‖x_i‖² − ‖x_j‖² for all pairs
 * (the B×N×N matrix, materialised), then jax's own `lax.topK` over the last axis, under `jit`.
 * The check counts queries whose neighbour list differs from ours.
 */
export function jaxKnn(
  device: JaxDevice,
  x: Float32Array, // [B, C, N]
  d: { B: number; N: number; C: number; k: number },
  ours: ArrayLike<number>, // [B, N, k]
  differing: (theirs: ArrayLike<number>) => number,
): Contender {
  type S = { x: JaxArray; f: JaxModule.OwnedFunction<(x: JaxArray) => JaxArray> };
  return jaxContender<S>(device, {
    setup: (jax, dev) => {
      const np = jax.numpy;
      const knn = (x: JaxArray): JaxArray => {
        const xt = np.transpose(x.ref, [0, 2, 1]); // [B, N, C]
        const inner = np.matmul(xt, x.ref); // [B, N, N]
        const sq = np.sum(np.square(x), 1, { keepdims: true }); // [B, 1, N]
        const negDist = inner
          .mul(2)
          .sub(sq.ref)
          .sub(np.transpose(sq, [0, 2, 1]));
        const [vals, idx] = jax.lax.topK(negDist, d.k, -1); // [B, N, k]
        vals.dispose();
        return idx;
      };
      return { x: np.array(x, { shape: [d.B, d.C, d.N], device: dev }), f: jax.jit(knn) };
    },
    run: (_jax, s) => s.f(s.x.ref),
    async check(_jax, s) {
      const idx = await s.f(s.x.ref).data();
      if (idx.length !== ours.length) return { 'queries differing': `shape: ${idx.length} indices` };
      return { 'queries differing': differing(idx) };
    },
    release(s) {
      s.x.dispose();
      s.f.dispose();
    },
  });
}

export interface EdgeConvInputs {
  x: Float32Array; // [B, C, N]
  idx: Int32Array | Uint32Array; // [B, N, k]
  weight: Float32Array; // [Cout, 2C]
  gamma: Float32Array; // [Cout]
  beta: Float32Array; // [Cout]
  dy: Float32Array; // [B, Cout, N], the cotangent of y
}

/** Ours, read back after one forward (and backward) on the same inputs. */
export interface EdgeConvResult {
  y: Float32Array; // [B, Cout, N]
  dx?: Float32Array; // [B, C, N]
  dWeight?: Float32Array; // [Cout, 2C]
}

/**
 * One EdgeConv layer in training mode, written the natural jax way: gather the neighbours
 * (`take` on the flattened points), the edge tensor [x_j − x_i ; x_i] (B·N·k·2C, materialised),
 * the 1×1 convolution as a matmul, BatchNorm with the batch statistics, LeakyReLU(0.2), max over
 * k. `backward`: the gradient of Σ y ⊙ dy with respect to x, W, γ, β by `grad`, under `jit`
 * (forward and backward in one compiled function); otherwise the forward alone under `jit`.
 */
export function jaxEdgeConv(
  device: JaxDevice,
  d: { B: number; N: number; k: number; C: number; Cout: number },
  inp: EdgeConvInputs,
  ours: EdgeConvResult,
  backward: boolean,
  eps: number,
  slope: number,
): Contender {
  const { B, N, k, C, Cout: O } = d;
  type Params = [JaxArray, JaxArray, JaxArray, JaxArray];
  type S = {
    args: { x: JaxArray; w: JaxArray; g: JaxArray; b: JaxArray; rows: JaxArray; dy: JaxArray };
    fwd: JaxModule.OwnedFunction<
      (x: JaxArray, w: JaxArray, g: JaxArray, b: JaxArray, rows: JaxArray) => JaxArray
    >;
    step: JaxModule.OwnedFunction<
      (x: JaxArray, w: JaxArray, g: JaxArray, b: JaxArray, rows: JaxArray, dy: JaxArray) => Params
    >;
  };
  // rows: [2, B·N·k], rows of the flattened [B·N, C] points: the neighbour (b·N + idx), the centre (b·N + i).
  const E = B * N * k;
  const rows = new Int32Array(2 * E);
  for (let e = 0; e < E; e++) {
    rows[e] = Math.floor(e / (N * k)) * N + Number(inp.idx[e]!);
    rows[E + e] = Math.floor(e / k);
  }
  return jaxContender<S>(device, {
    setup: (jax, dev) => {
      const np = jax.numpy;
      const forward = (x: JaxArray, w: JaxArray, g: JaxArray, b: JaxArray, idx: JaxArray): JaxArray => {
        const [rowIdx, selfIdx] = [idx.ref.slice(0), idx.slice(1)];
        const pts = np.reshape(np.transpose(x, [0, 2, 1]), [B * N, C]); // [B·N, C]
        // The edges stay flat ([B·N·k, ·]) through the gather and the matmul, and x_i is gathered
        // too rather than broadcast: jax-js 0.1.25's jit otherwise fails in the backward
        // ("routine primitive scatter input is not imm").
        const xj = np.take(pts.ref, rowIdx, 0); // [E, C]
        const xi = np.take(pts, selfIdx, 0); // [E, C]
        const edge = np.concatenate([xj.sub(xi.ref), xi], -1); // [E, 2C]
        const e = np.reshape(np.matmul(edge, np.transpose(w)), [B, N, k, O]);
        const mean = np.mean(e.ref, [0, 1, 2]);
        const centred = e.sub(mean);
        const variance = np.mean(np.square(centred.ref), [0, 1, 2]);
        const z = centred
          .mul(g)
          .div(np.sqrt(variance.add(eps)))
          .add(b);
        const y = np.max(jax.nn.leakyRelu(z, slope), 2); // [B, N, O]
        return np.transpose(y, [0, 2, 1]); // [B, O, N]
      };
      const loss = (x: JaxArray, w: JaxArray, g: JaxArray, b: JaxArray, rowIdx: JaxArray, dy: JaxArray) =>
        np.sum(forward(x, w, g, b, rowIdx).mul(dy));
      const gradFn = jax.grad(loss, { argnums: [0, 1, 2, 3] });
      return {
        args: {
          x: np.array(inp.x, { shape: [B, C, N], device: dev }),
          w: np.array(inp.weight, { shape: [O, 2 * C], device: dev }),
          g: np.array(inp.gamma, { device: dev }),
          b: np.array(inp.beta, { device: dev }),
          rows: np.array(rows, { shape: [2, E], dtype: np.int32, device: dev }),
          dy: np.array(inp.dy, { shape: [B, O, N], device: dev }),
        },
        fwd: jax.jit(forward),
        step: jax.jit((x, w, g, b, rowIdx, dy) => gradFn(x, w, g, b, rowIdx, dy) as unknown as Params),
      };
    },
    run: (_jax, s) => {
      const a = s.args;
      return backward
        ? s.step(a.x.ref, a.w.ref, a.g.ref, a.b.ref, a.rows.ref, a.dy.ref)
        : s.fwd(a.x.ref, a.w.ref, a.g.ref, a.b.ref, a.rows.ref);
    },
    async check(_jax, s) {
      const a = s.args;
      const y = (await s.fwd(a.x.ref, a.w.ref, a.g.ref, a.b.ref, a.rows.ref).data()) as Float32Array;
      const dyDiff = maxDiffs(y, ours.y);
      const out: Record<string, number | string> = {
        'y max abs diff': dyDiff.abs,
        'y rel max diff': dyDiff.rel,
      };
      if (backward && ours.dx && ours.dWeight) {
        const [dx, dw, dg, db] = s.step(a.x.ref, a.w.ref, a.g.ref, a.b.ref, a.rows.ref, a.dy.ref);
        dg.dispose();
        db.dispose();
        const ddx = maxDiffs((await dx.data()) as Float32Array, ours.dx);
        const ddw = maxDiffs((await dw.data()) as Float32Array, ours.dWeight);
        out['dx rel max diff'] = ddx.rel;
        out['dW rel max diff'] = ddw.rel;
      }
      return out;
    },
    release(s) {
      for (const v of Object.values(s.args)) v.dispose();
      s.fwd.dispose();
      s.step.dispose();
    },
  });
}
