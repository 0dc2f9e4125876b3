import { BufferArena } from '../../src/gpu/arena';
import { createBufferFrom, readF32, readI32, submitAndWait } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { type AdamSlot, planAdam } from '../../src/kernels/adam';
import { ADAM_DEFAULTS } from '../../src/kernels/adam-hyper';
import { planNtXent } from '../../src/kernels/ntxent';
import { planPointAugment } from '../../src/kernels/point_augment';
import { CROSSPOINT_AUGMENT } from '../../src/kernels/point_augment-params';
import { createDgcnn } from '../../src/nn/dgcnn';
import { freshWeights } from '../../src/nn/weights';
import { PRESETS, type PresetName } from '../../src/train/presets';
import { Rng } from '../../src/util/random';
import type { BenchReport } from '../report';
import { compareCase } from './contender';
import { createJaxDgcnnStep, type JaxDgcnnStep } from './jax-dgcnn';
import { type JaxArray, type JaxDevice, jaxContender, maxDiffs } from './jax';
import { oursRunner } from './ours';
import { budgetFor } from './timing';

/** One jax-js step's loss, gradients, updated parameters and kNN graphs, read to the host. */
async function readStep(s: JaxDgcnnStep) {
  const out = s.run();
  const read = async (t: Record<string, { data(): Promise<unknown> }>) => {
    const m = new Map<string, Float32Array>();
    for (const n of s.names) m.set(n, (await t[n]!.data()) as Float32Array);
    return m;
  };
  const step = {
    loss: ((await out.loss.data()) as Float32Array)[0]!,
    grads: await read(out.grads),
    params: await read(out.params),
    graphs: await Promise.all(out.graphs.map(async (g) => (await g.data()) as Int32Array)),
  };
  for (const n of s.names) {
    out.m[n]!.dispose();
    out.v[n]!.dispose();
  }
  return step;
}

/** The presets of the full-step comparison: those whose point count fits --max-size. */
export const TRAIN_STEP_PRESETS: readonly PresetName[] = ['first-look', 'tiny'];

/** Ours after one step from the shared start: the loss, every gradient and every updated tensor. */
interface StepResult {
  loss: number;
  grads: Map<string, Float32Array>;
  params: Map<string, Float32Array>;
}

/**
 * Agreement of jax-js's step with ours: the loss; the gradient at its largest difference, relative
 * to that tensor's largest |gradient|, over every tensor whose gradient is not zero in exact
 * arithmetic (and which tensor); the updated parameters' largest |difference|, also in units of
 * the learning rate. inv_head.0.bias is left out of both: a bias followed by training-mode
 * BatchNorm has a zero gradient, so both sides hold float noise there (its largest |gradient| is
 * printed instead), and Adam's first step moves each element by about lr·g/(|g| + eps), so that
 * noise alone moves its updated values apart by up to 2·lr.
 */
function stepAgreement(
  theirs: { loss: number; grads: Map<string, Float32Array>; params: Map<string, Float32Array> },
  ours: StepResult,
  lr: number,
): Record<string, number | string> {
  let worstGrad = 0;
  let worstName = '';
  for (const [name, g] of ours.grads) {
    if (ZERO_GRAD_TENSORS.includes(name)) continue;
    const d = maxDiffs(theirs.grads.get(name)!, g).rel;
    if (d >= worstGrad) [worstGrad, worstName] = [d, name];
  }
  let theta = 0;
  for (const [name, p] of ours.params)
    if (!ZERO_GRAD_TENSORS.includes(name)) theta = Math.max(theta, maxDiffs(theirs.params.get(name)!, p).abs);
  const noise = ZERO_GRAD_TENSORS.map((n) => maxAbs(ours.grads.get(n)!));
  return {
    'loss rel diff': Math.abs(theirs.loss - ours.loss) / Math.max(Math.abs(ours.loss), 1e-12),
    'grad rel max diff': worstGrad,
    'grad worst tensor': worstName,
    'inv_head.0.bias max abs grad': Math.max(...noise),
    'updated param max abs diff': theta,
    'updated param max diff / lr': theta / lr,
  };
}

/**
 * Rows (points) whose neighbour set differs between their graph and ours, per EdgeConv layer;
 * theirs: global rows b·N + j [Bt·N·k], ours: [Bt, N, k] indices within the cloud. The order
 * inside a row does not matter (max over k and the sums do not depend on it).
 */
export function knnRowsDiffering(theirs: Int32Array, ours: Int32Array, N: number, k: number): number {
  let rows = 0;
  for (let r = 0; r < ours.length / k; r++) {
    const cloudRow = Math.floor(r / N) * N;
    const mine = new Set(ours.subarray(r * k, r * k + k));
    for (let s = 0; s < k; s++)
      if (!mine.has(theirs[r * k + s]! - cloudRow)) {
        rows++;
        break;
      }
  }
  return rows;
}

/** Tensors whose gradient is zero in exact arithmetic (a bias right before training-mode BN). */
const ZERO_GRAD_TENSORS = ['inv_head.0.bias'];

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * One full CrossPoint point-branch training step per preset (first-look, tiny): two augmented
 * copies of each object's cloud (2·batch clouds, augmented once by the trainer's GPU augmentation
 * and the same clouds fed to both sides), DGCNN + inv_head in training mode, NT-Xent between the
 * copies (L_imid, τ from the preset), every gradient, one Adam update (the preset's lr and weight
 * decay, step 1). Ours (fused kernels, explicit backward, one command buffer) against the same step
 * in jax-js (jax-dgcnn.ts: one `jit` of valueAndGrad + Adam) on WebGPU and Wasm, from the same
 * weights. --quick: first-look's widths on 4 clouds of 64 points; --max-size N keeps the presets
 * with at most N points.
 */
export async function trainStepFullCompare(ctx: GpuContext, report: BenchReport): Promise<void> {
  const { quick, maxSize } = report.options;
  for (const name of quick ? (['first-look'] as const) : TRAIN_STEP_PRESETS) {
    const preset = PRESETS[name];
    if (!quick && preset.points > maxSize) {
      report.note(
        `compare full train step ${name}: skipped (${preset.points} points > --max-size ${maxSize})`,
      );
      continue;
    }
    const c = preset.dgcnn;
    const Bo = quick ? 2 : preset.batch; // objects; 2·Bo clouds
    const Bt = 2 * Bo;
    const N = quick ? 64 : preset.points;
    const D = c.proj;
    const values = freshWeights({ kind: 'dgcnn', config: c }, 11);
    // Bo random clouds [Bo, N, 3], each twice (rows b and Bo + b), as the trainer stages a batch.
    const base = new Rng(12).normalArray(Bo * N * 3, 0.5);
    const raw = new Float32Array(Bt * N * 3);
    raw.set(base);
    raw.set(base, Bo * N * 3);
    const adamHyper = { ...ADAM_DEFAULTS, lr: preset.lr, weightDecay: preset.weightDecay };
    const arena = new BufferArena(ctx, 'the batch or point count');
    try {
      const enc = await createDgcnn(ctx, arena, c, { batch: Bt, points: N });
      const loss = arena.alloc('step.loss', 16, 'loss', GPUBufferUsage.COPY_SRC);
      const dProj = enc.dProjections!;
      const nt = await planNtXent(
        ctx,
        {
          B: Bo,
          D,
          temperature: preset.temperature,
          offsetA: 0,
          offsetB: Bo * D,
          offsetDA: 0,
          offsetDB: Bo * D,
          accumulate: true,
          lossIndex: 0,
        },
        { a: enc.projections, b: enc.projections, loss, da: dProj, db: dProj },
      );
      const slots: AdamSlot[] = enc.params.trainable().map((t) => ({
        name: t.spec.name,
        n: t.n,
        param: t.value,
        grad: t.grad!,
        m: arena.alloc(`adam.${t.spec.name}.m`, t.n * 4, 'optimizer'),
        v: arena.alloc(`adam.${t.spec.name}.v`, t.n * 4, 'optimizer'),
      }));
      const adam = await planAdam(ctx, slots, { weightDecay: preset.weightDecay });
      adam.setStep(1, preset.lr);
      const step = (e: GPUCommandEncoder) => {
        enc.encodeForward(e, 'train');
        e.clearBuffer(dProj);
        nt.encode(e);
        enc.encodeBackward(e);
        adam.encode(e);
      };
      // Both copies augmented once by the trainer's GPU augmentation (CrossPoint's, drawn from a
      // seed) into the encoder's input; the same augmented clouds [Bt, 3, N] then feed jax-js.
      const rawBuf = createBufferFrom(ctx, raw, 'step.clouds');
      const augment = await planPointAugment(
        ctx,
        { B: Bt, N, options: CROSSPOINT_AUGMENT },
        { points: rawBuf, out: enc.input },
      );
      augment.draw(new Rng(13));
      await submitAndWait(ctx, (e) => augment.encode(e));
      augment.destroy();
      rawBuf.destroy();
      const points = await readF32(ctx, enc.input, Bt * 3 * N);
      enc.params.upload(values);
      await submitAndWait(ctx, step);
      const params = new Map<string, Float32Array>();
      for (const t of enc.params.trainable()) params.set(t.spec.name, await readF32(ctx, t.value, t.n));
      const ours: StepResult = {
        loss: (await readF32(ctx, loss, 1))[0]!,
        grads: await enc.params.downloadGrads(),
        params,
      };
      // The kNN graph each layer used in that step: [Bt, N, k] i32.
      const ourGraphs = await Promise.all(enc.knnBuffers.map((b) => readI32(ctx, b, Bt * N * c.k)));
      const oursBytes = arena.totalBytes + nt.scratchBytes;
      const shape = { clouds: Bt, points: N, temperature: preset.temperature, adam: adamHyper, t: 1 };
      const jax = (device: JaxDevice) =>
        jaxContender(device, {
          setup: (j, dev) => createJaxDgcnnStep(j, dev, c, values, points, shape),
          run: (j, s) => j.tree.leaves<JaxArray>(s.run()),
          async check(j, s) {
            const theirs = await readStep(s);
            const differing = theirs.graphs.map((g, l) => knnRowsDiffering(g, ourGraphs[l]!, N, c.k));
            const figures: Record<string, number | string> = {
              loss: theirs.loss,
              ...stepAgreement(theirs, ours, preset.lr),
              'knn rows differing by layer': differing.join('/'),
            };
            if (differing.some((d) => d > 0)) {
              // A different graph changes the loss discontinuously; run the same jax step on our
              // graphs to tell that apart from different arithmetic.
              const pinned = createJaxDgcnnStep(j, device, c, values, points, shape, ourGraphs);
              try {
                const a = stepAgreement(await readStep(pinned), ours, preset.lr);
                figures['on our knn: loss rel diff'] = a['loss rel diff']!;
                figures['on our knn: grad rel max diff'] = a['grad rel max diff']!;
                figures['on our knn: grad worst tensor'] = a['grad worst tensor']!;
              } finally {
                pinned.dispose();
              }
            }
            return figures;
          },
          release: (s) => s.dispose(),
        });
      await compareCase(
        report,
        'compare full train step',
        `${quick ? 'quick' : name}: ${Bt} clouds x ${N} points, k ${c.k}, widths ${c.edgeWidths.join('/')}, emb ${c.emb}, proj ${D}`,
        oursRunner(ctx, step),
        [jax('webgpu'), jax('wasm')],
        budgetFor(quick),
        { 'ours loss': ours.loss, 'ours bytes': oursBytes },
        { label: 'steps/s', amount: 1 },
      );
      nt.destroy();
      adam.destroy();
      enc.destroy();
    } finally {
      arena.destroy();
    }
  }
}
