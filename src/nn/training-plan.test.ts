import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { PRESETS } from '../train/presets';
import { sumByGroup } from './buffer-plan';
import { dgcnnBufferSpecs } from './dgcnn-buffers';
import { imageEncoderSpecs, naiveDgcnnSpecs, trainingStepPlan } from './training-plan';

describe('training-step byte budget (crosspoint plan)', () => {
  it('paper preset at batch 20: the point encoder figures are its buffer list; naive edge tensors by formula', () => {
    const p = trainingStepPlan(PRESETS.paper, 20);
    const B = 40; // both views
    const N = 2048;
    const specs = dgcnnBufferSpecs(PRESETS.paper.dgcnn, { batch: B, points: N, backward: true });
    const own = sumByGroup(specs);
    for (const g of ['weights', 'grads', 'activations', 'indices', 'kernel-scratch', 'activation-grads']) {
      expect(p.fused.pointOnly.bytes[g], g).toBe(own[g]);
    }
    expect(p.fused.pointOnly.bytes.weights).toBe(4 * 2_980_480);
    expect(p.fused.pointOnly.bytes.optimizer).toBe(2 * 4 * 2_980_480);
    // concat [B, 512, N], conv5 output and its BN output [B, 1024, N] are among the activations.
    const concat = specs.find((s) => s.name === 'point.concat')!;
    expect(concat.bytes).toBe(4 * B * 512 * N);
    // Naive: EdgeConv l keeps B·N·k·(2C + 2·Cout) floats; the fused scratch is gone.
    const naive = naiveDgcnnSpecs(PRESETS.paper.dgcnn, B, N, specs);
    expect(naive.find((s) => s.name === 'point.edgeconv1.naive')!.bytes).toBe(4 * B * N * 20 * (6 + 128));
    expect(naive.find((s) => s.name === 'point.edgeconv4.naive')!.bytes).toBe(4 * B * N * 20 * (256 + 512));
    expect(naive.some((s) => /edgeconv\d\.scratch/.test(s.name))).toBe(false);
    expect(p.naiveOverFused.pointOnly).toBeGreaterThan(3);
    expect(p.fused.withImage.bytes.total).toBeGreaterThan(p.fused.pointOnly.bytes.total!);
  });

  it('image branch: exact ResNet-50 parameters and the buffers createResNet allocates', () => {
    const specs = imageEncoderSpecs(PRESETS.paper.resnet, 224, 20);
    const g = sumByGroup(specs);
    expect(g.weights).toBe(4 * (23_508_032 + 1_180_672));
    // Lower bound: the stem conv output and its BN output alone, 2·B·64·112·112 floats.
    expect(g.activations).toBeGreaterThan(4 * 2 * 20 * 64 * 112 * 112);
    // The tiny preset's small ResNet on 32×32 images is far smaller.
    expect(sumByGroup(imageEncoderSpecs(PRESETS.tiny.resnet, 32, 8)).activations).toBeLessThan(
      g.activations! / 50,
    );
  });

  it('`crosspoint plan` prints the JSON; a bad preset exits 2 with one line', () => {
    const ok = crosspoint(['plan', '--preset', 'paper', '--batch', '20']);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout);
    expect(j).toMatchObject({ preset: 'paper', batch: 20, clouds: 40, points: 2048, k: 20 });
    expect(j.fused.pointOnly.bytes.total).toBe(
      trainingStepPlan(PRESETS.paper, 20, 1).fused.pointOnly.bytes.total,
    );
    expect(j.naive.withImage.bytes.total).toBeGreaterThan(j.fused.withImage.bytes.total);
    const bad = crosspoint(['plan', '--preset', 'huge']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/--preset must be one of first-look, tiny, small, paper/);
  });
});
