import { BufferArena } from '../src/gpu/arena';
import { writeBuffer } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { GpuTimer, medianTime } from '../src/gpu/timer';
import { initialiseParams } from '../src/nn/param-spec';
import { createResNet } from '../src/nn/resnet';
import { resnetParamSpecs } from '../src/nn/resnet-config';
import { resnetActivationBytes } from '../src/nn/resnet-plan';
import { PRESETS } from '../src/train/presets';
import { Rng } from '../src/util/random';

/** One result row; bench/report.ts collects them. */
export type ResNetReport = (caseObj: Record<string, unknown>) => void;

/**
 * The image encoder of the tiny preset (basic blocks [1,1,1,1], base 16, 32×32, batch 8):
 * milliseconds per training forward, and per training forward + backward (median of warm
 * runs), with the plan time and the bytes the arena holds.
 */
export async function resnetSection(ctx: GpuContext, report: ResNetReport): Promise<void> {
  const preset = PRESETS.tiny;
  const timer = new GpuTimer(ctx);
  const arena = new BufferArena(ctx);
  try {
    const t0 = performance.now();
    const net = await createResNet(ctx, arena, preset.resnet, {
      batch: preset.batch,
      imageSize: preset.imageSize,
    });
    const planMs = performance.now() - t0;
    net.params.upload(initialiseParams(resnetParamSpecs(preset.resnet), 1));
    const rng = new Rng(2);
    writeBuffer(ctx, net.input, rng.uniformArray(preset.batch * 3 * preset.imageSize ** 2, -1, 1));
    writeBuffer(ctx, net.dProjections, rng.uniformArray(preset.batch * preset.resnet.proj, -1, 1));
    const fwd = await medianTime(timer, (enc) => net.encodeForward(enc, 'train'), 3, 1);
    const step = await medianTime(
      timer,
      (enc) => {
        net.encodeForward(enc, 'train');
        net.encodeBackward(enc);
      },
      3,
      1,
    );
    report({
      section: 'resnet',
      name: `resnet tiny (basic [1,1,1,1] base 16) B=${preset.batch} ${preset.imageSize}×${preset.imageSize}`,
      batch: preset.batch,
      imageSize: preset.imageSize,
      planMs,
      forwardMs: fwd.ms,
      forwardBackwardMs: step.ms,
      method: step.method,
      imagesPerSecond: (1000 * preset.batch) / step.ms,
      activationBytes: resnetActivationBytes(preset.resnet, preset.batch, preset.imageSize),
      arenaBytes: arena.totalBytes,
    });
    net.destroy();
  } finally {
    arena.destroy();
    timer.destroy();
  }
}
