/**
 * A folder the user chose, as a flat list of files with paths relative to it, from any of the
 * three ways a browser gives one: the directory picker (showDirectoryPicker), an
 * <input webkitdirectory>, or a folder dropped on the page (DataTransferItem.webkitGetAsEntry).
 * Nothing is read here: the worker reads the files it needs, locally.
 */
import type { FolderFile } from '../worker/protocol';

export interface ChosenFolder {
  name: string;
  files: FolderFile[];
}

/** From <input webkitdirectory>: webkitRelativePath is "<folder>/<path>". */
export function folderFromInput(list: FileList | readonly File[]): ChosenFolder | null {
  const files = [...list];
  if (files.length === 0) return null;
  const first = files[0]!.webkitRelativePath || files[0]!.name;
  const name = first.includes('/') ? first.split('/')[0]! : 'files';
  return {
    name,
    files: files.map((f) => {
      const rel = f.webkitRelativePath || f.name;
      return { path: rel.startsWith(`${name}/`) ? rel.slice(name.length + 1) : rel, file: f };
    }),
  };
}

interface DirHandle {
  name: string;
  kind: 'directory';
  values(): AsyncIterable<DirHandle | FileHandle>;
}
interface FileHandle {
  name: string;
  kind: 'file';
  getFile(): Promise<File>;
}

/** Whether this browser has the directory picker (Chromium); the others use the input. */
export function hasDirectoryPicker(): boolean {
  return typeof window !== 'undefined' && 'showDirectoryPicker' in window;
}

/** The directory picker; null when the user cancels. */
export async function pickFolder(): Promise<ChosenFolder | null> {
  const w = window as unknown as { showDirectoryPicker(o?: { mode: 'read' }): Promise<DirHandle> };
  let root: DirHandle;
  try {
    root = await w.showDirectoryPicker({ mode: 'read' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') return null;
    throw e;
  }
  const files: FolderFile[] = [];
  const walk = async (dir: DirHandle, prefix: string): Promise<void> => {
    for await (const h of dir.values()) {
      if (h.kind === 'directory') await walk(h, `${prefix}${h.name}/`);
      else files.push({ path: `${prefix}${h.name}`, file: await h.getFile() });
    }
  };
  await walk(root, '');
  return { name: root.name, files };
}

/** Entries of a directory, all batches (readEntries returns at most 100 at a time). */
async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

/**
 * A dropped folder (or several files): the entries must be taken from the DataTransfer before the
 * drop handler returns, then walked asynchronously.
 */
export async function folderFromDrop(dt: DataTransfer): Promise<ChosenFolder | null> {
  const entries = [...dt.items]
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return null;
  const files: FolderFile[] = [];
  const walk = async (e: FileSystemEntry, prefix: string): Promise<void> => {
    if (e.isDirectory) {
      for (const c of await readAll(e as FileSystemDirectoryEntry)) await walk(c, `${prefix}${e.name}/`);
    } else {
      const file = await new Promise<File>((ok, fail) => (e as FileSystemFileEntry).file(ok, fail));
      files.push({ path: `${prefix}${e.name}`, file });
    }
  };
  // One folder dropped: paths are relative to it. Several items: relative to where they were.
  const one = entries.length === 1 && entries[0]!.isDirectory ? entries[0]! : null;
  if (one) {
    for (const c of await readAll(one as FileSystemDirectoryEntry)) await walk(c, '');
    return { name: one.name, files };
  }
  for (const e of entries) await walk(e, '');
  return { name: entries.length === 1 ? entries[0]!.name : `${entries.length} dropped items`, files };
}
