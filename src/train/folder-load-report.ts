/**
 * What loading a folder reports to the page: objects picked and loaded, files skipped and why, and
 * whether the set streams from a disk cache. Its own file, free of GPU code, because the page's
 * Data panel shows it and the page bundle must not pull a kernel (src/ui/page-imports.test.ts).
 */
import type { FileProblem } from '../data/folder-index';

const GiB = 1024 ** 3;
/** Bytes in words for messages: "5.20 GiB", "0.03 MiB". */
export const size = (b: number) =>
  b >= GiB ? `${(b / GiB).toFixed(2)} GiB` : `${(b / 1024 ** 2).toFixed(2)} MiB`;

export interface FolderLoadReport {
  folder: string;
  layout: string;
  /** Objects asked for (after the subset) and objects loaded. */
  picked: number;
  loaded: number;
  /** A file that lost its object, or that the index left out, with the reason. */
  skipped: FileProblem[];
  /** Oddities that did not lose the object (a view skipped or resized, NaN points dropped). */
  warnings: FileProblem[];
  /** Present when the set streams from a cache on disk instead of living on the GPU. */
  stream?: StreamInfo;
}

/** Why a set streams and where from. */
export interface StreamInfo {
  /** 'OPFS', 'IndexedDB', 'memory'. */
  where: string;
  /** Bytes the clouds and views would take on the GPU, and the limit they are over. */
  need: number;
  limit: number;
  /** What the limit is, in words: "the tab's 4.00 GiB budget for a dataset", "the adapter's largest buffer". */
  limitName: string;
  /** Bytes written to the cache. */
  cacheBytes: number;
  /**
   * Milliseconds to read one object's cloud and one view back from the cache, measured after
   * writing it (on up to READ_PROBE objects): a step reads B of them, while the step before runs.
   */
  readMsPerObject?: number;
}

/** Why a set streams, in words: "5.20 GiB, over the tab's 4.00 GiB budget for a dataset". */
export function streamReason(info: Pick<StreamInfo, 'need' | 'limit' | 'limitName'>): string {
  return `${size(info.need)}, over ${info.limitName} of ${size(info.limit)}`;
}
