import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type FileLike, indexShapeNetFiles, type ShapeNetIndex } from './shapenet-folder';

/**
 * Node side of the ShapeNet folder reader: lists `root` (the folder holding ShapeNet/ and
 * ShapeNetRendering/) and indexes it; file bytes are read only when an object is loaded.
 */
export async function readShapeNetFolder(root: string): Promise<ShapeNetIndex> {
  const files: FileLike[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.(ply|png)$/i.test(e.name)) {
        files.push({
          name: e.name,
          path: relative(root, p).split(sep).join('/'),
          bytes: async () => new Uint8Array(await readFile(p)),
        });
      }
    }
  };
  await walk(root);
  return indexShapeNetFiles(files, root);
}
