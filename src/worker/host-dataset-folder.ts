/**
 * A user's folder in the worker: its files indexed by layout (src/data/folder-index.ts), then the
 * chosen subset read into training data (src/train/training-data-folder.ts, the builder the CLI
 * uses too) and held like the generated set (host-dataset.ts). Files are read here, in the tab.
 */
import { DataFormatError } from '../data/errors';
import { type EvaluationSet, readEvaluationSet } from '../data/evaluation-set';
import { type FileLike, type FolderIndex, indexFolder, LAYOUT_NAMES } from '../data/folder-index';
import type { GpuContext } from '../gpu/context';
import { streamReason, trainingDataFromFolder } from '../train/training-data-folder';
import { InputError } from '../util/errors';
import { type HostDataset, hostDatasetOf } from './host-dataset';
import { diskCacheOpener } from './object-cache-disk';
import type { EvalSetSummary, FolderFile, FolderLoadParams, FolderSummary } from './protocol';

/** The folder's files, read only when an object is loaded. */
export function folderIndexOf(name: string, files: readonly FolderFile[]): FolderIndex {
  const like: FileLike[] = files.map((f) => ({
    name: f.path.split('/').pop() ?? f.path,
    path: f.path,
    bytes: async () => new Uint8Array(await f.file.arrayBuffer()),
  }));
  try {
    return indexFolder(like, name);
  } catch (e) {
    if (e instanceof DataFormatError) throw new InputError(e.message);
    throw e;
  }
}

export function folderSummary(index: FolderIndex): FolderSummary {
  return {
    name: index.name,
    layout: index.layout,
    layoutName: index.layout ? LAYOUT_NAMES[index.layout] : null,
    classes: index.classes,
    objects: index.objects.length,
    maxViews: index.maxViews,
    evalFiles: index.evalFiles.map((e) => ({
      path: e.file.path,
      kind: e.kind,
      ...(e.split ? { split: e.split } : {}),
    })),
    problems: index.problems,
  };
}

export async function loadFolderHostDataset(
  ctx: GpuContext,
  index: FolderIndex,
  params: FolderLoadParams,
  onProgress: (task: string, done: number, total: number) => void,
): Promise<HostDataset> {
  let task =
    index.layout === 'crosspoint' ? 'Reading clouds and views' : 'Reading meshes and rendering views';
  onProgress(task, 0, 0);
  const lower = 'the classes, objects per class or views per object';
  let data: Awaited<ReturnType<typeof trainingDataFromFolder>>;
  try {
    data = await trainingDataFromFolder(
      ctx,
      index,
      {
        points: params.points,
        views: params.views,
        imageSize: params.imageSize,
        seed: params.seed,
        subset: { classes: params.classes, perClass: params.perClass },
        lower,
        ...(params.budgetBytes !== undefined ? { budget: params.budgetBytes } : {}),
        streamCache: diskCacheOpener(lower),
        onStream: (info) => {
          task = `${task} into the ${info.where} cache (the set streams: ${streamReason(info)})`;
          onProgress(task, 0, 0);
        },
      },
      (done, total) => onProgress(task, done, total),
    );
  } catch (e) {
    if (e instanceof DataFormatError) throw new InputError(e.message);
    throw e;
  }
  const { classes: _c, budgetBytes: _b, ...sampleParams } = params;
  return hostDatasetOf(ctx, data, sampleParams, (i) => data.hostClouds[i]!, {
    kind: 'folder',
    report: data.report,
  });
}

/** The folder's .h5 files as the evaluation set; a folder with none, or none usable, is an InputError. */
export async function loadEvaluationSet(index: FolderIndex, seed: number): Promise<EvaluationSet> {
  try {
    return await readEvaluationSet(index.name, index.evalFiles, seed, index.nameFiles);
  } catch (e) {
    if (e instanceof DataFormatError) throw new InputError(e.message);
    throw e;
  }
}

export function evalSetSummary(set: EvaluationSet): EvalSetSummary {
  const count = (s: EvaluationSet['train']) =>
    set.classes.map((_, c) => s.labels.filter((l) => l === c).length);
  return {
    name: set.name,
    kind: set.kind,
    classes: set.classes,
    trainCounts: count(set.train),
    testCounts: count(set.test),
    pointsPerCloud: set.pointsPerCloud,
    files: set.files,
    problems: set.problems,
    notes: set.notes,
  };
}
