import { describe, expect, it } from 'vitest';
import { folderFromDrop, folderFromInput } from './folder-files';

/** Stand-ins of the browser's FileSystemEntry tree of a dropped folder (readEntries in batches). */
function dirEntry(name: string, children: unknown[], batch = 2) {
  return {
    name,
    isDirectory: true,
    isFile: false,
    createReader() {
      let at = 0;
      return {
        readEntries(ok: (e: unknown[]) => void) {
          const out = children.slice(at, at + batch);
          at += batch;
          setTimeout(() => ok(out), 0);
        },
      };
    },
  };
}
function fileEntry(name: string) {
  const file = new File([name], name);
  return { name, isDirectory: false, isFile: true, file: (ok: (f: File) => void) => ok(file) };
}
function dropOf(entries: unknown[]) {
  return {
    items: entries.map((e) => ({ kind: 'file', webkitGetAsEntry: () => e })),
  } as unknown as DataTransfer;
}

describe('a folder the user chose, as files with relative paths', () => {
  it('a dropped folder: every file under it, paths relative to it, past readEntries’ batches', async () => {
    const tree = dirEntry('mine', [
      dirEntry('ShapeNet', [
        dirEntry('02691156', [fileEntry('a.ply'), fileEntry('b.ply'), fileEntry('c.ply')]),
      ]),
      dirEntry('ShapeNetRendering', [
        dirEntry('02691156', [dirEntry('a', [dirEntry('rendering', [fileEntry('00.png')])])]),
      ]),
      fileEntry('train.h5'),
    ]);
    const got = await folderFromDrop(dropOf([tree]));
    expect(got?.name).toBe('mine');
    expect(got?.files.map((f) => f.path)).toEqual([
      'ShapeNet/02691156/a.ply',
      'ShapeNet/02691156/b.ply',
      'ShapeNet/02691156/c.ply',
      'ShapeNetRendering/02691156/a/rendering/00.png',
      'train.h5',
    ]);
    expect(await got!.files[4]!.file.text()).toBe('train.h5');
  });

  it('several dropped items keep their names as the first path part; nothing dropped is null', async () => {
    const got = await folderFromDrop(dropOf([fileEntry('x.h5'), dirEntry('d', [fileEntry('y.off')])]));
    expect(got?.name).toBe('2 dropped items');
    expect(got?.files.map((f) => f.path)).toEqual(['x.h5', 'd/y.off']);
    expect(await folderFromDrop(dropOf([]))).toBeNull();
  });

  it('<input webkitdirectory>: paths lose the chosen folder’s name', () => {
    const f = (rel: string) =>
      Object.assign(new File(['x'], rel.split('/').pop()!), { webkitRelativePath: rel });
    const got = folderFromInput([f('mine/ShapeNet/0/a.ply'), f('mine/test.h5')]);
    expect(got).toMatchObject({ name: 'mine' });
    expect(got?.files.map((x) => x.path)).toEqual(['ShapeNet/0/a.ply', 'test.h5']);
    expect(folderFromInput([])).toBeNull();
  });
});
