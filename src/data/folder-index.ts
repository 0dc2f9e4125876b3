/**
 * A folder the user brings (a directory picker, a folder drop, or `--data DIR` on the command
 * line), indexed by layout from its file paths alone; no byte is read here. Layouts:
 *
 * - `crosspoint`: CrossPoint's pretraining data, `ShapeNet/<synset>/<id>.ply` with
 *   `ShapeNetRendering/<synset>/<id>/rendering/*.png`, or what `crosspoint sample` writes
 *   (`<synset>/<id>.ply` beside `ShapeNetRendering/`);
 * - `shapenetcore`: meshes `<synset>/<id>/models/model_normalized.obj` (views are rendered);
 * - `modelnet`: meshes `<class>/{train,test}/<id>.off` (views are rendered);
 * - evaluation sets: HDF5 files (ModelNet40 `ply_data_*.h5`, ScanObjectNN, ShapeNetPart), kept
 *   apart for the SVM, few-shot and classify panels.
 *
 * Anything else is reported (one line per file) and left out; a folder with nothing usable is a
 * DataFormatError saying what was found and what is expected.
 */
import { DataFormatError } from './errors';
import { R2N2_CATEGORIES } from './loaders/class-names';

/**
 * A file of the folder (from a browser folder drop or picker, or from folder-files.node.ts), so
 * nothing here touches a file system; bytes may be given or read on demand.
 */
export interface FileLike {
  /** Base name, e.g. "00.png". */
  name: string;
  /** Path relative to the folder the user chose, '/'-separated. */
  path: string;
  bytes: Uint8Array | (() => Promise<Uint8Array>);
}

export type FolderLayout = 'crosspoint' | 'shapenetcore' | 'modelnet';

export const LAYOUT_NAMES: Record<FolderLayout, string> = {
  crosspoint:
    "CrossPoint's layout (ShapeNet/<synset>/<id>.ply + ShapeNetRendering/<synset>/<id>/rendering/*.png)",
  shapenetcore: 'ShapeNetCore meshes (<synset>/<id>/models/model_normalized.obj)',
  modelnet: 'ModelNet meshes (<class>/train|test/<id>.off)',
};

export interface FolderObject {
  /** `<class key>/<id>`, unique in the folder. */
  id: string;
  /** Synset (ShapeNet) or class folder (ModelNet). */
  classKey: string;
  /** The cloud (.ply) or the mesh (.obj, .off). */
  shape: FileLike;
  /** Rendered views, sorted by name (crosspoint layout); empty: views are rendered by us. */
  views: FileLike[];
  /** The folder's own split (ModelNet's train/test folders). */
  split?: 'train' | 'test';
}

export type EvalKind = 'modelnet40' | 'scanobjectnn' | 'shapenetpart' | 'hdf5';

export interface EvalFile {
  file: FileLike;
  /** Guessed from the name; the loader checks the datasets. */
  kind: EvalKind;
  split?: 'train' | 'test';
}

/** A file left out, and why (shown in the panel's per-file report). */
export interface FileProblem {
  file: string;
  problem: string;
}

export interface FolderClass {
  key: string;
  /** R2N2 category of a synset, else the key. */
  name: string;
  objects: number;
}

export interface FolderIndex {
  /** The folder's name as the user chose it. */
  name: string;
  layout: FolderLayout | null;
  /** Sorted by key; an object's label is its class's position here. */
  classes: FolderClass[];
  objects: FolderObject[];
  /** Most views any object has (crosspoint layout; 0 when views are rendered). */
  maxViews: number;
  evalFiles: EvalFile[];
  /** Class-name lists (classes.txt, shape_names.txt), one name a line, for the evaluation sets. */
  nameFiles: FileLike[];
  problems: FileProblem[];
}

/** Files that belong to a known layout but carry nothing to read (metadata, materials, lists). */
const SIDECAR =
  /(^|\/)(rendering_metadata\.txt|renderings\.txt|classes\.txt|shape_names\.txt|sample\.json|[^/]*\.mtl|[^/]*\.json|train_files\.txt|test_files\.txt|[^/]*\.csv|[^/]*\.binvox|\.DS_Store|Thumbs\.db|[^/]*\.md|LICENSE[^/]*)$/i;
const TEXTURE = /\/(images|textures?)\/[^/]+\.(png|jpe?g)$/i;

function parts(path: string): string[] {
  return path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}

function stem(name: string): string {
  return name.replace(/\.[^.]*$/, '');
}

function splitFromName(name: string): 'train' | 'test' | undefined {
  if (/test/i.test(name)) return 'test';
  if (/train/i.test(name)) return 'train';
  return undefined;
}

function evalKind(path: string): EvalKind {
  const n = path.toLowerCase();
  if (/objectdataset/.test(n) || /scanobjectnn/.test(n)) return 'scanobjectnn';
  if (/shapenet|partseg|hdf5_data/.test(n)) return 'shapenetpart';
  if (/ply_data_/.test(n) || /modelnet/.test(n)) return 'modelnet40';
  return 'hdf5';
}

export function className(key: string): string {
  return R2N2_CATEGORIES[key] ?? key;
}

interface Candidates {
  clouds: Map<string, FileLike>;
  renderings: Map<string, FileLike[]>;
  shapenetcore: FolderObject[];
  modelnet: FolderObject[];
}

/** Indexes a folder's files (paths relative to the folder, '/'-separated). */
export function indexFolder(files: readonly FileLike[], name: string): FolderIndex {
  const c: Candidates = { clouds: new Map(), renderings: new Map(), shapenetcore: [], modelnet: [] };
  const evalFiles: EvalFile[] = [];
  const nameFiles: FileLike[] = [];
  const unknown: FileLike[] = [];
  for (const f of files) {
    const p = parts(f.path);
    const base = p[p.length - 1] ?? f.name;
    const lower = base.toLowerCase();
    if (lower === 'classes.txt' || lower === 'shape_names.txt') nameFiles.push(f);
    const r = p.lastIndexOf('ShapeNetRendering');
    if (r >= 0) {
      if (p.length === r + 5 && p[r + 3] === 'rendering' && lower.endsWith('.png')) {
        const key = `${p[r + 1]}/${p[r + 2]}`;
        c.renderings.set(key, [...(c.renderings.get(key) ?? []), f]);
      } else if (!SIDECAR.test(f.path)) unknown.push(f);
    } else if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) {
      const e: EvalFile = { file: f, kind: evalKind(f.path) };
      const split = splitFromName(base);
      if (split) e.split = split;
      evalFiles.push(e);
    } else if (lower.endsWith('.ply') && p.length >= 2) {
      c.clouds.set(`${p[p.length - 2]}/${stem(base)}`, f);
    } else if (lower === 'model_normalized.obj' && p.length >= 4 && p[p.length - 2] === 'models') {
      const classKey = p[p.length - 4]!;
      c.shapenetcore.push({ id: `${classKey}/${p[p.length - 3]}`, classKey, shape: f, views: [] });
    } else if (lower.endsWith('.off') && p.length >= 3 && /^(train|test)$/.test(p[p.length - 2]!)) {
      const classKey = p[p.length - 3]!;
      c.modelnet.push({
        id: `${classKey}/${stem(base)}`,
        classKey,
        shape: f,
        views: [],
        split: p[p.length - 2] as 'train' | 'test',
      });
    } else if (!SIDECAR.test(f.path) && !TEXTURE.test(f.path)) unknown.push(f);
  }

  const crosspoint = pairCrossPoint(c);
  const byLayout: Record<FolderLayout, FolderObject[]> = {
    crosspoint: crosspoint.objects,
    shapenetcore: c.shapenetcore,
    modelnet: c.modelnet,
  };
  const found = (Object.keys(byLayout) as FolderLayout[]).filter((l) => byLayout[l].length > 0);
  // Mixed layouts: the one with the most objects is read; the others' files are reported.
  const layout = found.sort((a, b) => byLayout[b].length - byLayout[a].length)[0] ?? null;
  const problems: FileProblem[] = [];
  if (layout === 'crosspoint' || (layout === null && (c.clouds.size > 0 || c.renderings.size > 0))) {
    problems.push(...crosspoint.problems);
  } else {
    // Lone .ply files next to another layout's meshes: not part of it.
    for (const f of c.clouds.values())
      problems.push({ file: f.path, problem: `a .ply outside ${LAYOUT_NAMES[layout!]}; left out` });
    for (const list of c.renderings.values())
      for (const f of list)
        problems.push({
          file: f.path,
          problem: "a rendered view, but this folder is not read in CrossPoint's layout; left out",
        });
  }
  for (const l of found) {
    if (l === layout) continue;
    const chosen = `this folder is read as ${LAYOUT_NAMES[layout!]} (${byLayout[layout!].length} objects)`;
    for (const o of byLayout[l])
      problems.push({
        file: o.shape.path,
        problem: `belongs to ${LAYOUT_NAMES[l]}, but ${chosen}; left out (choose a folder holding one layout)`,
      });
  }
  for (const f of unknown) {
    problems.push({
      file: f.path,
      problem:
        'not part of a known layout (a cloud, a mesh, a rendered view or an .h5 evaluation set); ignored',
    });
  }
  const objects = layout
    ? [...byLayout[layout]].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    : [];
  if (objects.length === 0 && evalFiles.length === 0) {
    throw new DataFormatError(
      name,
      { part: 'folder layout' },
      `nothing usable in ${files.length} files: expected ${Object.values(LAYOUT_NAMES).join('; ')}; ` +
        `or .h5 evaluation sets (ModelNet40 ply_data_*.h5, ScanObjectNN, ShapeNetPart)` +
        (problems.length ? `. First problem: ${problems[0]!.file}: ${problems[0]!.problem}` : ''),
    );
  }
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.classKey, (counts.get(o.classKey) ?? 0) + 1);
  const classes = [...counts.keys()]
    .sort()
    .map((key) => ({ key, name: className(key), objects: counts.get(key)! }));
  const maxViews = objects.reduce((m, o) => Math.max(m, o.views.length), 0);
  evalFiles.sort((a, b) => (a.file.path < b.file.path ? -1 : 1));
  return { name, layout, classes, objects, maxViews, evalFiles, nameFiles, problems };
}

/** Clouds paired with their rendering folders by `<synset>/<id>`; the unpaired are reported. */
function pairCrossPoint(c: Candidates): { objects: FolderObject[]; problems: FileProblem[] } {
  const objects: FolderObject[] = [];
  const problems: FileProblem[] = [];
  for (const [key, cloud] of c.clouds) {
    const views = c.renderings.get(key);
    if (!views) {
      problems.push({
        file: cloud.path,
        problem: `no rendered views at ShapeNetRendering/${key}/rendering/*.png; left out`,
      });
      continue;
    }
    const classKey = key.split('/')[0]!;
    objects.push({
      id: key,
      classKey,
      shape: cloud,
      views: [...views].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    });
  }
  for (const [key, views] of c.renderings) {
    if (!c.clouds.has(key))
      problems.push({
        file: `ShapeNetRendering/${key}/rendering/`,
        problem: `${views.length} views but no cloud ${key}.ply; left out`,
      });
  }
  return { objects, problems };
}
