import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';

/**
 * Writes a ShapeNetPart-layout HDF5 file (data [S, N, 3] f32, label [S, 1] u8, pid [S, N] u8) —
 * or without `pid` when `parts` is omitted — for the part-segmentation tests.
 */
export async function writePartsegH5(
  path: string,
  points: Float32Array,
  categories: ArrayLike<number>,
  N: number,
  parts?: ArrayLike<number>,
): Promise<void> {
  await h5wasm.ready;
  const S = categories.length;
  const f = new h5wasm.File(path, 'w');
  try {
    f.create_dataset({ name: 'data', data: points, shape: [S, N, 3] });
    f.create_dataset({ name: 'label', data: Uint8Array.from(categories), shape: [S, 1] });
    if (parts) f.create_dataset({ name: 'pid', data: Uint8Array.from(parts), shape: [S, N] });
  } finally {
    f.close();
  }
}

/** A ShapeNetPart text-layout folder: one file per shape under its synset, and the split lists. */
export function writePartsegTextFolder(
  dir: string,
  shapes: {
    synset: string;
    id: string;
    points: Float32Array;
    parts: ArrayLike<number>;
    split: 'train' | 'val' | 'test';
  }[],
): void {
  mkdirSync(join(dir, 'train_test_split'), { recursive: true });
  const lists: Record<string, string[]> = { train: [], val: [], test: [] };
  for (const s of shapes) {
    mkdirSync(join(dir, s.synset), { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < s.parts.length; i++) {
      const p = s.points.subarray(i * 3, i * 3 + 3);
      lines.push(
        `${[...p].map((v) => v.toFixed(6)).join(' ')} 0.000000 1.000000 0.000000 ${s.parts[i]!.toFixed(6)}`,
      );
    }
    writeFileSync(join(dir, s.synset, `${s.id}.txt`), `${lines.join('\n')}\n`);
    lists[s.split]!.push(`shape_data/${s.synset}/${s.id}`);
  }
  for (const [k, v] of Object.entries(lists)) {
    writeFileSync(join(dir, 'train_test_split', `shuffled_${k}_file_list.json`), JSON.stringify(v));
  }
}
