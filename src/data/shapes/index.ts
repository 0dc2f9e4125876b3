// The generated sample's 13 categories (those of the 3D-R2N2 renderings of ShapeNet) and the
// entry point that turns (category, index, seed) into a mesh.
import { Rng } from '../../util/random';
import type { Mesh } from '../mesh';
import { airplane } from './airplane';
import { bench } from './bench';
import { cabinet } from './cabinet';
import { car } from './car';
import { chair } from './chair';
import { display } from './display';
import { lamp } from './lamp';
import { loudspeaker } from './loudspeaker';
import { MeshBuilder } from './primitives';
import { rifle } from './rifle';
import { sofa } from './sofa';
import { table } from './table';
import { telephone } from './telephone';
import { watercraft } from './watercraft';

/** The 13 categories in label order (label = index in this list). */
export const CATEGORIES = [
  'airplane',
  'bench',
  'cabinet',
  'car',
  'chair',
  'display',
  'lamp',
  'loudspeaker',
  'rifle',
  'sofa',
  'table',
  'telephone',
  'watercraft',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** ShapeNetCore synset (WordNet offset) of each category, as used in ShapeNet's folder names. */
export const SYNSETS: Record<Category, string> = {
  airplane: '02691156',
  bench: '02828884',
  cabinet: '02933112',
  car: '02958343',
  chair: '03001627',
  display: '03211117',
  lamp: '03636649',
  loudspeaker: '03691459',
  rifle: '04090263',
  sofa: '04256520',
  table: '04379243',
  telephone: '04401088',
  watercraft: '04530566',
};

const FAMILIES: Record<Category, (rng: Rng, b: MeshBuilder) => void> = {
  airplane,
  bench,
  cabinet,
  car,
  chair,
  display,
  lamp,
  loudspeaker,
  rifle,
  sofa,
  table,
  telephone,
  watercraft,
};

/** Seed of one object's generator: a mix of (seed, category, index) so streams do not overlap. */
export function objectSeed(category: Category, index: number, seed: number): number {
  let h = Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(CATEGORIES.indexOf(category) + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae3d) ^ Math.imul(index >>> 0, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 13), 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Object `index` of `category` under `seed`: a deterministic mesh (y up, centred on its
 * bounding-box centre, farthest vertex on the unit sphere). Every index gives a different object.
 */
export function generateObject(category: Category, index: number, seed = 0): Mesh {
  const family = FAMILIES[category];
  if (!family) throw new Error(`unknown category "${category}" (expected one of ${CATEGORIES.join(', ')})`);
  const b = new MeshBuilder();
  family(new Rng(objectSeed(category, index, seed)), b);
  return b.build();
}
