import { createStorageBuffer } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { GpuTimer, medianTime } from '../src/gpu/timer';
import { type Conv2dShape, planConv2d } from '../src/kernels/conv2d';
import { conv2dOutSize } from '../src/kernels/conv2d-shape';

/** ResNet-like convolutions at the tiny preset's image size (32×32). */
const FULL_CASES: { name: string; shape: Conv2dShape }[] = [
  {
    name: 'B8 64→64 3×3 s1 p1 32×32',
    shape: { B: 8, Cin: 64, Cout: 64, H: 32, W: 32, KH: 3, KW: 3, stride: 1, pad: 1 },
  },
  {
    name: 'B8 3→64 7×7 s2 p3 32×32 (stem)',
    shape: { B: 8, Cin: 3, Cout: 64, H: 32, W: 32, KH: 7, KW: 7, stride: 2, pad: 3 },
  },
];

/** The same two layers, small (bench --quick). */
const QUICK_CASES: { name: string; shape: Conv2dShape }[] = [
  {
    name: 'B2 16→16 3×3 s1 p1 16×16',
    shape: { B: 2, Cin: 16, Cout: 16, H: 16, W: 16, KH: 3, KW: 3, stride: 1, pad: 1 },
  },
  {
    name: 'B2 3→16 7×7 s2 p3 16×16 (stem)',
    shape: { B: 2, Cin: 3, Cout: 16, H: 16, W: 16, KH: 7, KW: 7, stride: 2, pad: 3 },
  },
];

const VARIANTS = ['tiled', 'direct'] as const;

/**
 * Times forward, input-gradient and weight-gradient passes of both conv2d variants (the tiled
 * implicit GEMM and the direct one); one report per (case, pass) with the direct/tiled ratio.
 */
export async function conv2dSection(
  ctx: GpuContext,
  report: (caseObj: Record<string, unknown>) => void,
  quick = false,
): Promise<void> {
  const timer = new GpuTimer(ctx);
  for (const { name, shape: s } of quick ? QUICK_CASES : FULL_CASES) {
    const { Ho, Wo } = conv2dOutSize(s);
    const xBytes = s.B * s.Cin * s.H * s.W * 4;
    const yBytes = s.B * s.Cout * Ho * Wo * 4;
    const wBytes = s.Cout * s.Cin * s.KH * s.KW * 4;
    const bufs = {
      x: createStorageBuffer(ctx, xBytes, 'bench.x'),
      dx: createStorageBuffer(ctx, xBytes, 'bench.dx'),
      w: createStorageBuffer(ctx, wBytes, 'bench.w'),
      dw: createStorageBuffer(ctx, wBytes, 'bench.dw'),
      y: createStorageBuffer(ctx, yBytes, 'bench.y'),
      dy: createStorageBuffer(ctx, yBytes, 'bench.dy'),
    };
    // Multiply-adds of the dense convolution (the same count for all three passes).
    const flop = 2 * s.B * s.Cout * Ho * Wo * s.Cin * s.KH * s.KW;
    const ms: Record<string, Record<string, number>> = { forward: {}, dgrad: {}, wgrad: {} };
    let wgradSplits = 1;
    let method = '';
    for (const variant of VARIANTS) {
      const op = await planConv2d(ctx, { ...s, variant }, bufs);
      if (variant === 'tiled') wgradSplits = op.wgradSplits;
      const passes: [string, (enc: GPUCommandEncoder) => void][] = [
        ['forward', (enc) => op.encodeForward(enc)],
        ['dgrad', (enc) => op.encodeBackwardInput(enc)],
        ['wgrad', (enc) => op.encodeBackwardWeight(enc)],
      ];
      for (const [pass, encode] of passes) {
        const t = await medianTime(timer, encode, 3, 1);
        ms[pass]![variant] = t.ms;
        method = t.method;
      }
      op.destroy();
    }
    for (const [pass, t] of Object.entries(ms)) {
      report({
        section: 'conv2d',
        case: name,
        pass,
        tiledMs: Number(t.tiled!.toFixed(3)),
        directMs: Number(t.direct!.toFixed(3)),
        tiledGflops: Number((flop / t.tiled! / 1e6).toFixed(3)),
        directGflops: Number((flop / t.direct! / 1e6).toFixed(3)),
        method,
        wgradSplits: pass === 'wgrad' ? wgradSplits : undefined,
        ratioDirectOverTiled: t.direct! / t.tiled!, // > 1: the tiled variant is faster
      });
    }
    for (const b of Object.values(bufs)) b.destroy();
  }
  timer.destroy();
}
