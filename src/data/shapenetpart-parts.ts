// ShapeNetPart's 50 parts: which global part ids belong to which of the 16 categories (the
// reference's seg_num / index_start tables in train_partseg.py) and what the parts are called.
import { SHAPENETPART_CATEGORIES } from './loaders/class-names';

/** Parts in all: the model's logits per point. */
export const SHAPENETPART_PART_COUNT = 50;
/** Categories: the width of the model's category one-hot. */
export const SHAPENETPART_CATEGORY_COUNT = 16;

/** Parts of each category (the reference's seg_num), in SHAPENETPART_CATEGORIES order. */
export const PARTS_PER_CATEGORY = [4, 2, 2, 4, 4, 3, 3, 2, 4, 2, 6, 2, 3, 3, 3, 3] as const;
/** First global part id of each category (the reference's index_start). */
export const FIRST_PART = [0, 4, 6, 8, 12, 16, 19, 22, 24, 28, 30, 36, 38, 41, 44, 47] as const;

/**
 * Part names per category, in global-id order: the part names of the ShapeNet part benchmark
 * (Yi et al. 2016) as commonly listed; ids are FIRST_PART[category] + position in the list.
 */
export const PART_NAMES: readonly (readonly string[])[] = [
  ['body', 'wing', 'tail', 'engine'], // Airplane 0-3
  ['handle', 'body'], // Bag 4-5
  ['panels', 'peak'], // Cap 6-7
  ['roof', 'hood', 'wheel', 'body'], // Car 8-11
  ['back', 'seat', 'leg', 'arm'], // Chair 12-15
  ['earcup', 'headband', 'cord'], // Earphone 16-18
  ['head', 'neck', 'body'], // Guitar 19-21
  ['blade', 'handle'], // Knife 22-23
  ['base', 'shade', 'canopy', 'tube'], // Lamp 24-27
  ['keyboard', 'screen'], // Laptop 28-29
  ['gas tank', 'seat', 'wheel', 'handle', 'light', 'frame'], // Motorbike 30-35
  ['handle', 'cup'], // Mug 36-37
  ['barrel', 'handle', 'trigger'], // Pistol 38-40
  ['body', 'fin', 'nose'], // Rocket 41-43
  ['wheel', 'deck', 'belt'], // Skateboard 44-46
  ['top', 'leg', 'support'], // Table 47-49
];

/** The global part ids of a category: [first, first + count). */
export function categoryParts(category: number): { first: number; count: number } {
  return { first: FIRST_PART[category]!, count: PARTS_PER_CATEGORY[category]! };
}

/** "Airplane wing" for global part id 1. */
export function partName(part: number): string {
  for (let c = SHAPENETPART_CATEGORY_COUNT - 1; c >= 0; c--) {
    if (part >= FIRST_PART[c]!) {
      const name = PART_NAMES[c]![part - FIRST_PART[c]!];
      if (name !== undefined) return `${SHAPENETPART_CATEGORIES[c]!.name} ${name}`;
      break;
    }
  }
  return `part ${part}`;
}

/** ShapeNetPart category index of a name, case-insensitive ("chair" → 4), or −1. */
export function shapeNetPartCategory(name: string): number {
  const n = name.toLowerCase();
  return SHAPENETPART_CATEGORIES.findIndex((c) => c.name.toLowerCase() === n);
}
