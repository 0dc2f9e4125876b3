import { createBufferFrom, readF32, submitAndWait } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { GpuTimer } from '../src/gpu/timer';
import { type AdamSlot, planAdam } from '../src/kernels/adam';
import { adamMomentsLayout, planAdamMulti } from '../src/kernels/adam_multi';
import { dgcnnParamSpecs } from '../src/nn/dgcnn-config';
import { resnetParamSpecs } from '../src/nn/resnet-config';
import { PRESETS, type PresetName } from '../src/train/presets';
import { Rng } from '../src/util/random';

/** The trainable tensors' sizes of a preset's training step (point model, then image model), as the trainer lists them. */
function trainerTensorSizes(name: PresetName): number[] {
  const p = PRESETS[name];
  return [...dgcnnParamSpecs(p.dgcnn), ...resnetParamSpecs(p.resnet)]
    .filter((s) => s.trainable)
    .map((s) => s.shape.reduce((a, b) => a * b, 1));
}

/**
 * Adam over the training step's tensors (first-look, tiny): the per-tensor path (planAdam, a check
 * and an update pass per tensor) against the multi-tensor one (planAdamMulti, a few passes), on
 * their own buffers with the same gradients. Timed in alternating segments (per-tensor, multi,
 * per-tensor, ...; median of each), so load changes hit both alike; then one step of each from
 * the same state is compared bit for bit. --quick: first-look only.
 */
export async function adamSection(
  ctx: GpuContext,
  report: (row: Record<string, unknown>) => void,
  quick: boolean,
): Promise<void> {
  const timer = new GpuTimer(ctx);
  const owned: GPUBuffer[] = [];
  const buf = (a: Float32Array, label: string) => {
    const b = createBufferFrom(ctx, a, label);
    owned.push(b);
    return b;
  };
  try {
    for (const name of quick ? (['first-look'] as const) : (['first-look', 'tiny'] as const)) {
      const sizes = trainerTensorSizes(name);
      const rng = new Rng(1);
      const thetas = sizes.map((n) => rng.normalArray(n));
      const grads = sizes.map((n) => buf(rng.normalArray(n), 'bench.adam.grad'));
      const slots: AdamSlot[] = sizes.map((n, i) => ({
        name: `t${i}`,
        n,
        param: buf(thetas[i]!, 'bench.adam.param'),
        grad: grads[i]!,
        m: buf(new Float32Array(n), 'bench.adam.m'),
        v: buf(new Float32Array(n), 'bench.adam.v'),
      }));
      const multiParams = sizes.map((_, i) => buf(thetas[i]!, 'bench.adam.multiParam'));
      const total = adamMomentsLayout(sizes).total;
      const moments = buf(new Float32Array(2 * total), 'bench.adam.moments');
      const single = await planAdam(ctx, slots, { weightDecay: 1e-6 });
      const multi = await planAdamMulti(
        ctx,
        sizes.map((n, i) => ({ name: `t${i}`, n, param: multiParams[i]!, grad: grads[i]! })),
        moments,
        { weightDecay: 1e-6 },
      );
      single.setStep(1, 1e-3);
      multi.setStep(1, 1e-3);
      // One step of each from the same state: the same bits.
      await submitAndWait(ctx, (e) => single.encode(e));
      await submitAndWait(ctx, (e) => multi.encode(e));
      let identical = true;
      for (const [i, s] of slots.entries()) {
        const a = await readF32(ctx, s.param, s.n);
        const b = await readF32(ctx, multiParams[i]!, s.n);
        if (a.some((x, e) => !Object.is(x, b[e]))) identical = false;
      }
      const a: number[] = [];
      const b: number[] = [];
      for (let r = 0; r < 5; r++) {
        a.push((await timer.time((e) => single.encode(e))).ms);
        b.push((await timer.time((e) => multi.encode(e))).ms);
      }
      const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
      report({
        section: 'adam',
        name: `adam, ${name} training step: ${sizes.length} tensors, ${total} values`,
        'per-tensor passes': 2 * sizes.length,
        'multi passes': multi.dispatches,
        'per-tensor ms': median(a),
        'multi ms': median(b),
        'ratio per-tensor/multi': median(a) / median(b),
        'same bits': identical ? 'yes' : 'NO',
      });
      single.destroy();
      multi.destroy();
    }
  } finally {
    for (const b of owned) b.destroy();
    timer.destroy();
  }
}
