import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { type FileLike, type FolderIndex, indexFolder } from './folder-index';

/** Every file under `root`, paths relative to it; bytes are read only when asked for. */
export async function listFolderFiles(root: string): Promise<FileLike[]> {
  const files: FileLike[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile())
        files.push({
          name: e.name,
          path: relative(root, p).split(sep).join('/'),
          bytes: async () => new Uint8Array(await readFile(p)),
        });
    }
  };
  await walk(root);
  return files;
}

/** Node side of src/data/folder-index.ts: the folder at `root`, indexed. */
export async function readFolderIndex(root: string): Promise<FolderIndex> {
  return indexFolder(await listFolderFiles(root), basename(root) || root);
}
