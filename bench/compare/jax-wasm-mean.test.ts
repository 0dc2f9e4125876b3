import { describe, expect, it } from 'vitest';
import { loadJax } from './jax';

/**
 * The cause of jax-js Wasm's disagreement on the first-look training step (docs/PERFORMANCE.md,
 * "Why jax-wasm's step disagrees"): its `np.mean` sums in float32 one element after another, so
 * a BatchNorm mean over the 20 480 edge rows of a first-look layer carries an error of about
 * 3e-5 standard deviations (ours and jax-webgpu reduce in a tree). That shifts the layer's output
 * by ~2e-5 relative and breaks a near-tied neighbour of the next layer's kNN the other way. If
 * this test fails, jax-js changed its reduction: re-run the comparison and update that section.
 */
describe('jax-js Wasm reduction', () => {
  it('np.mean over 10 000 float32 values is the sequential float32 sum, not the float64 mean', async () => {
    const loaded = await loadJax('wasm');
    if (!loaded.ok) throw new Error(loaded.reason);
    const np = loaded.value.numpy;
    const n = 10_000;
    const x = Float32Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(i * 12.9898));
    let exact = 0;
    let sequential = 0;
    for (const v of x) {
      exact += v;
      sequential = Math.fround(sequential + v);
    }
    const theirs = ((await np.mean(np.array(x, { device: 'wasm' })).data()) as Float32Array)[0]!;
    expect(theirs).toBe(Math.fround(sequential / n));
    // The sequential float32 sum is 1.7e-6 relative away from the exact mean here.
    expect(Math.abs(theirs - exact / n) / (exact / n)).toBeGreaterThan(1e-6);
  });
});
