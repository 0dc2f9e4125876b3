// Model sizes for part segmentation: the reference's, and a small one that fine-tunes in minutes
// on a CPU adapter (SwiftShader). Widths only; categories and parts are ShapeNetPart's.
import { PARTSEG_REFERENCE, type PartSegConfig, partSegConfigForPreset } from '../nn/dgcnn-partseg-config';
import { PRESETS } from './presets';

export const PARTSEG_SIZES = {
  reference: PARTSEG_REFERENCE,
  /** About a sixteenth of the reference's multiply-adds per point and edge. */
  small: {
    ...PARTSEG_REFERENCE,
    tnet: [16, 32, 128, 64, 32],
    edge: 16,
    emb: 128,
    category: 16,
    head: [64, 64, 32],
    headHidden: 128,
    proj: 64,
  },
  /**
   * The widths `crosspoint pretrain --model dgcnn_seg --preset first-look` pretrains, so that a
   * fine-tune from random init can be compared with one from that checkpoint at equal widths.
   */
  'first-look': partSegConfigForPreset(PRESETS['first-look'].dgcnn),
} as const satisfies Record<string, PartSegConfig>;

export type PartsegSizeName = keyof typeof PARTSEG_SIZES;
export const PARTSEG_SIZE_NAMES = Object.keys(PARTSEG_SIZES) as PartsegSizeName[];

/** The size's config with neighbour count k. */
export function partsegSize(name: PartsegSizeName, k: number): PartSegConfig {
  const c = PARTSEG_SIZES[name];
  return { ...c, tnet: [...c.tnet], head: [...c.head], k };
}
