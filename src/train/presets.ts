import { DEFAULT_K, type DgcnnConfig } from '../nn/dgcnn-config';
import type { ResNetConfig } from '../nn/resnet-config';

/** The presets, smallest first (DESIGN.md §4). */
export const PRESET_NAMES = ['first-look', 'tiny', 'small', 'paper'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** A complete pretraining configuration (DESIGN.md §4). */
export interface Preset {
  name: PresetName;
  points: number;
  batch: number;
  imageSize: number;
  dgcnn: DgcnnConfig;
  resnet: ResNetConfig;
  /** Adam, cosine schedule (DESIGN.md §1). */
  lr: number;
  weightDecay: number;
  epochs: number;
  temperature: number;
  where: string;
}

export const PRESETS: Record<PresetName, Preset> = {
  // Learning visible within ten minutes on a CPU-emulated adapter (SwiftShader): half the tiny
  // preset's points, a quarter of its widths, the image branch on the strided ImageNet stem (its
  // stages at 8×8 and below: at 32 px with the small stem the image branch was ~70 % of a step),
  // a larger learning rate and a cosine schedule over 40 epochs of the page's set (78 training
  // objects, 9 steps an epoch: 360 steps, about ten minutes at SwiftShader's 1.7 s a step). At 20
  // epochs (180 steps) the run ended with retrieval at 17 % (chance 8 %); a 45-epoch run showed
  // learning plainly only around step 400 (retrieval 58 %), so the schedule runs about that long.
  'first-look': {
    name: 'first-look',
    points: 128,
    batch: 8,
    imageSize: 32,
    dgcnn: { k: 10, edgeWidths: [16, 16, 32, 64], emb: 64, headHidden: 64, proj: 64 },
    resnet: { block: 'basic', layers: [1, 1, 1, 1], base: 8, stem: 'imagenet', headHidden: 64, proj: 64 },
    lr: 2e-3,
    weightDecay: 1e-6,
    epochs: 40,
    temperature: 0.1,
    where: 'a CPU fallback adapter: a first look in ten minutes',
  },
  tiny: {
    name: 'tiny',
    points: 256,
    batch: 8,
    imageSize: 32,
    dgcnn: { k: 10, edgeWidths: [64, 64, 128, 256], emb: 256, headHidden: 256, proj: 256 },
    resnet: { block: 'basic', layers: [1, 1, 1, 1], base: 16, stem: 'small', headHidden: 128, proj: 256 },
    lr: 1e-3,
    weightDecay: 1e-6,
    epochs: 100,
    temperature: 0.1,
    where: 'CPU emulation (SwiftShader), tests',
  },
  small: {
    name: 'small',
    points: 1024,
    batch: 16,
    imageSize: 64,
    dgcnn: { k: DEFAULT_K, edgeWidths: [64, 64, 128, 256], emb: 1024, headHidden: 1024, proj: 256 },
    resnet: { block: 'basic', layers: [2, 2, 2, 2], base: 64, stem: 'small', headHidden: 512, proj: 256 },
    lr: 1e-3,
    weightDecay: 1e-6,
    epochs: 100,
    temperature: 0.1,
    where: 'a laptop GPU',
  },
  paper: {
    name: 'paper',
    points: 2048,
    batch: 20,
    imageSize: 224,
    dgcnn: { k: DEFAULT_K, edgeWidths: [64, 64, 128, 256], emb: 1024, headHidden: 1024, proj: 256 },
    resnet: {
      block: 'bottleneck',
      layers: [3, 4, 6, 3],
      base: 64,
      stem: 'imagenet',
      headHidden: 512,
      proj: 256,
    },
    lr: 1e-3,
    weightDecay: 1e-6,
    epochs: 100,
    temperature: 0.1,
    where: 'a desktop GPU',
  },
};

export function getPreset(name: string): Preset {
  if (!(name in PRESETS)) throw new Error(`unknown preset "${name}" (${PRESET_NAMES.join(', ')})`);
  return PRESETS[name as PresetName];
}

/** What the page knows of the adapter (src/gpu/adapter-info.ts AdapterSummary). */
export interface AdapterTraits {
  isFallbackAdapter: boolean;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/**
 * About how long one training step of each preset takes on a CPU fallback adapter (SwiftShader,
 * seconds, the page's default sample set), for the warning when one is chosen there. first-look:
 * measured in the page (issue 23: 180 steps in about five minutes, 1.7 s a step); tiny: 6.2 ×
 * that, the ratio of their step times under `crosspoint pretrain --steps 3` on one machine
 * (23 s and 144 s a step on a heavily shared CPU). small did not finish its first step in 30
 * minutes there (its step needs 1.3 GiB of buffers), over 78 × first-look's step, so more than
 * 130 s; paper is larger still: both are lower bounds (`atLeast`).
 */
export const CPU_STEP_SECONDS: Record<PresetName, { seconds: number; atLeast?: boolean }> = {
  'first-look': { seconds: 1.7 },
  tiny: { seconds: 11 },
  small: { seconds: 130, atLeast: true },
  paper: { seconds: 130, atLeast: true },
};

/** "about 11 s" or "more than 90 s" per step on a CPU fallback adapter. */
export function cpuStepText(p: PresetName): string {
  const t = CPU_STEP_SECONDS[p];
  return `${t.atLeast ? 'more than' : 'about'} ${t.seconds} s`;
}

/** Whether the adapter runs on the CPU (a fallback adapter, or SwiftShader by name). */
export function isCpuFallback(a: AdapterTraits): boolean {
  if (a.isFallbackAdapter) return true;
  return /swiftshader/i.test([a.vendor, a.architecture, a.device, a.description].join(' '));
}

/** The preset a first visit starts with: first-look on a CPU fallback (tiny takes hours there), else tiny. */
export function defaultPresetFor(a: AdapterTraits): PresetName {
  return isCpuFallback(a) ? 'first-look' : 'tiny';
}
