import { describe, expect, it } from 'vitest';
import { crosspoint } from '../test/cli';
import type { BenchCase } from './report';

describe('crosspoint bench compare', () => {
  // The WebGPU contenders are skipped here: compiling ORT's, TF.js's and jax-js's shaders on
  // SwiftShader takes minutes. ORT's Wasm backend is skipped too: once it has run in a Node
  // process, later dawn.node work there stalls (bench/compare/runtimes.ts, ortRanInNode). The full
  // comparison (docs/PERFORMANCE.md) runs them all; the skip keeps their lines.
  it('--quick prints one JSON case per line for every section, with ratios and agreement against jax-js Wasm', () => {
    const r = crosspoint(
      ['bench', 'compare', '--quick', '--skip', 'ort-webgpu,ort-wasm,tfjs-webgpu,jax-webgpu'],
      { timeoutMs: 400_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const cases = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as BenchCase);
    const sections = [...new Set(cases.map((c) => c.section))];
    expect(sections).toEqual([
      'compare matmul',
      'compare encoder',
      'compare train step',
      'compare full train step',
      'compare knn',
      'compare edgeconv',
    ]);
    for (const c of cases) {
      expect(c.figures['ours ms'], c.name).toBeGreaterThan(0);
      // A skipped runtime still has its line entry, saying why.
      if (c.section === 'compare train step') expect(c.figures['tfjs-webgpu ms']).toBe('skipped (--skip)');
      else if (c.section !== 'compare edgeconv' && c.section !== 'compare full train step')
        expect(c.figures['ort-wasm ms'], c.name).toBe('skipped (--skip)');
      if (
        ['compare matmul', 'compare knn', 'compare edgeconv', 'compare full train step'].includes(c.section)
      ) {
        expect(c.figures['jax-webgpu ms'], c.name).toBe('skipped (--skip)');
        expect(c.ratios['ours/jax-wasm'], c.name).toBeGreaterThan(0);
      }
    }
    // jax-js (Wasm) computes the same numbers on the same inputs as ours.
    for (const c of cases.filter((c) => c.section === 'compare matmul'))
      expect(c.figures['jax-wasm rel max diff'], c.name).toBeLessThan(1e-5);
    expect(cases.find((c) => c.section === 'compare knn')!.figures['jax-wasm queries differing']).toBe(0);
    const step = cases.find(
      (c) => c.section === 'compare edgeconv' && c.name.startsWith('forward+backward'),
    )!;
    expect(step.figures['jax-wasm y rel max diff']).toBeLessThan(1e-5);
    expect(step.figures['jax-wasm dx rel max diff']).toBeLessThan(1e-4);
    expect(step.figures['jax-wasm dW rel max diff']).toBeLessThan(1e-4);
    // The full training step (forward, NT-Xent, grad, Adam) agrees: loss, gradients, updated weights.
    const full = cases.find((c) => c.section === 'compare full train step')!;
    expect(full.figures['jax-wasm loss rel diff']).toBeLessThan(1e-3);
    expect(full.figures['jax-wasm grad rel max diff']).toBeLessThan(1e-2);
    // Adam's first step moves an element by about lr·sign(g): where g is near zero a float-level
    // difference can flip it, but a wrong update rule (bias correction, lr, decay) moves most by ≥ lr.
    expect(full.figures['jax-wasm updated param max diff / lr']).toBeLessThan(0.5);
    // Each layer's kNN graph is compared with ours; where one differs (a near-tie broken the
    // other way after float rounding), the same jax step on our graphs must agree.
    const graphs = String(full.figures['jax-wasm knn rows differing by layer']);
    expect(graphs).toMatch(/^\d+\/\d+\/\d+\/\d+$/);
    if (graphs !== '0/0/0/0') expect(full.figures['jax-wasm on our knn: loss rel diff']).toBeLessThan(1e-4);
    expect(r.stderr).toContain('ours/jax-wasm');
  }, 400_000);
});
