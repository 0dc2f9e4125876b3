import { readFileSync, statSync } from 'node:fs';
import { DataFormatError } from '../../data/errors';
import { boundingBox } from '../../data/loaders/checks';
import { isSet, loadAny } from '../../data/loaders/index';
import { readFolderIndex } from '../../data/folder-files.node';
import { defineCommand } from '../command';
import { InputError, UsageError } from '../errors';

export const inspect = defineCommand({
  name: 'inspect',
  summary: 'read a .ply/.off/.obj/.txt/.h5 file (or a ShapeNet folder) and print what was parsed as JSON',
  positionals: 'FILE',
  maxPositionals: 1,
  flags: {},
  async run({ positionals }, io) {
    const path = positionals[0];
    if (!path) throw new UsageError('missing FILE');
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      throw new InputError(
        `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    try {
      const report = isDir ? await inspectFolder(path) : await inspectFile(path);
      io.out(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    } catch (e) {
      if (e instanceof DataFormatError) throw new InputError(e.message);
      throw e;
    }
  },
});

async function inspectFile(path: string) {
  const s = await loadAny(path, new Uint8Array(readFileSync(path)));
  const box = boundingBox(s.points);
  if (isSet(s)) {
    const labels = s.labels ? histogram(s.labels) : undefined;
    return {
      file: path,
      format: s.format,
      clouds: s.count,
      pointsPerCloud: s.pointsPerCloud,
      normals: !!s.normals,
      properties: s.properties,
      boundingBox: box,
      labels,
      pointLabels: s.pointLabels ? Object.keys(histogram(s.pointLabels)).map(Number) : undefined,
      warnings: s.warnings,
    };
  }
  return {
    file: path,
    format: s.format,
    points: s.points.length / 3,
    faces: s.faces ? s.faces.length / 3 : 0,
    normals: !!s.normals,
    properties: s.properties,
    boundingBox: box,
    label: s.label,
    className: s.className,
    pointLabels: s.pointLabels ? Object.keys(histogram(s.pointLabels)).map(Number) : undefined,
    warnings: s.warnings,
  };
}

async function inspectFolder(path: string) {
  const idx = await readFolderIndex(path);
  const perClass: Record<string, number> = {};
  for (const c of idx.classes) perClass[c.key] = c.objects;
  return {
    folder: path,
    format: idx.layout ? `${idx.layout}-folder` : 'evaluation-sets',
    objects: idx.objects.length,
    classes: perClass,
    views: idx.objects.reduce((s, o) => s + o.views.length, 0),
    evalFiles: idx.evalFiles.map((e) => e.file.path),
    warnings: idx.problems.map((p) => `${p.file}: ${p.problem}`),
  };
}

/** Count per value, keys in ascending order. */
function histogram(a: Int32Array): Record<number, number> {
  const m = new Map<number, number>();
  for (const v of a) m.set(v, (m.get(v) ?? 0) + 1);
  return Object.fromEntries([...m].sort((x, y) => x[0] - y[0]));
}
