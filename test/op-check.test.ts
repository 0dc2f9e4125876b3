import { describe, expect, it } from 'vitest';
import { type ScaleAddOp, planScaleAdd } from '../src/kernels/scale_add';
import { setupGpu } from './gpu';
import { checkGradients, checkOp, type OpSpec } from './op-check';

const gpu = setupGpu();

/** out = 2x + y on the GPU; its "backward" is a CPU-only stand-in to exercise checkGradients. */
function spec(refScale: number, gradScale: number): OpSpec<number, ScaleAddOp> {
  return {
    name: 'scale_add probe',
    data: (n, rng) => ({
      x: rng.uniformArray(n),
      y: rng.uniformArray(n),
      out: new Float32Array(n),
      dout: rng.uniformArray(n),
      dx: new Float32Array(n),
    }),
    plan: (ctx, n, b) => planScaleAdd(ctx, { x: b.x!, y: b.y!, out: b.out! }, n, 2),
    forward: {
      encode: (op, enc) => op.encode(enc),
      ref: (_n, d) => ({ out: Float64Array.from(d.x!, (x, i) => refScale * x + d.y![i]!) }),
      tol: [1e-6, 0],
    },
    backward: {
      encode: () => {},
      ref: (_n, d) => ({ dx: Float64Array.from(d.dout!, (g, i) => gradScale * g + d.dx![i]!) }),
      tol: [0, 0],
    },
    gradients: { cotangents: { out: 'dout' }, inputs: { x: 'dx' } },
  };
}

describe('op-check (the kernel tests helper) fails when it should', () => {
  it('passes a right reference, rejects a wrong forward and names the buffer and element', async () => {
    await expect(checkOp(gpu(), { ...spec(2, 2), backward: undefined }, 37)).resolves.toBeDefined();
    await expect(checkOp(gpu(), { ...spec(2.001, 2), backward: undefined }, 37)).rejects.toThrow(
      /scale_add probe 37 forward out: element \d+/,
    );
  });

  it('rejects a GPU gradient buffer that differs from the analytic backward', async () => {
    // The stand-in backward records nothing, so dx stays 0 on the GPU while the reference says 2·dout.
    await expect(checkOp(gpu(), spec(2, 2), 5)).rejects.toThrow(/backward dx/);
  });

  it('accepts a right analytic backward, rejects a wrong one against central differences', () => {
    expect(checkGradients(spec(2, 2), 50)).toBe(24);
    expect(() => checkGradients(spec(2, 2.01), 50)).toThrow(/dx vs central differences/);
  });

  it('says which buffer the reference predicts but nobody provides', async () => {
    const s = spec(2, 2);
    const bad = { ...s, backward: undefined, forward: { ...s.forward, ref: () => ({ nope: [1] }) } };
    await expect(checkOp(gpu(), bad, 3)).rejects.toThrow(
      /'nope', which is neither in data\(\) nor owned\(\)/,
    );
  });
});
