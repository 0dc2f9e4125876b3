import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { planScaleAdd } from './scale_add';
import { selfTestInputs } from './selftest-inputs';

export interface SelfTestResult {
  kernel: string;
  n: number;
  alpha: number;
  seed: number;
  maxAbsErr: number;
  /** The first outputs, so a caller can check them independently. */
  head: number[];
  ok: boolean;
}

/** Runs scale_add on an awkward length and compares it with the expected values. */
export async function runSelfTest(ctx: GpuContext, n = 100_003, seed = 7): Promise<SelfTestResult> {
  const { x, y, alpha } = selfTestInputs(n, seed);
  const bx = createBufferFrom(ctx, x, 'selftest.x');
  const by = createBufferFrom(ctx, y, 'selftest.y');
  const bo = createStorageBuffer(ctx, n * 4, 'selftest.out');
  const op = await planScaleAdd(ctx, { x: bx, y: by, out: bo }, n, alpha);
  await submitAndWait(ctx, (enc) => op.encode(enc));
  const got = await readF32(ctx, bo, n);
  // The expected value in plain arithmetic (scale_add.ref.ts is the tests' full reference):
  // the f32 product alpha·x, then the sum.
  const a = Math.fround(alpha);
  let maxAbsErr = 0;
  for (let i = 0; i < n; i++)
    maxAbsErr = Math.max(maxAbsErr, Math.abs(got[i]! - (Math.fround(a * x[i]!) + y[i]!)));
  op.destroy();
  for (const b of [bx, by, bo]) b.destroy();
  return {
    kernel: 'scale_add',
    n,
    alpha,
    seed,
    maxAbsErr,
    head: [...got.slice(0, 4)],
    ok: maxAbsErr <= 1e-6,
  };
}
