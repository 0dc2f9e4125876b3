// Writes a generated sample set to disk in the layout of CrossPoint's data (Node only):
//   DIR/<synset>/<id>.ply                                  points + normals, binary PLY
//   DIR/ShapeNetRendering/<synset>/<id>/rendering/00.png … the views, like the R2N2 renderings
//   DIR/ShapeNetRendering/<synset>/<id>/rendering/renderings.txt          PNG names, one a line
//   DIR/ShapeNetRendering/<synset>/<id>/rendering/rendering_metadata.txt  "azimuth elevation 0 distance fov"
//   DIR/train.h5, DIR/test.h5   `data` float32 [n, N, 3], `label` uint8 [n, 1] (ModelNet40 HDF5 layout)
//   DIR/classes.txt             category names in label order, one a line
//   DIR/sample.json             the options and every object's id, label and split
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { createStorageBuffer, readF32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { encodePly } from './ply-write';
import { encodeRgbaPng } from './png';
import { chwToRgba8, imageTensorBytes, planRender } from '../kernels/render';
import { renderObjectViews } from './sample-render';
import type { SampleObject, SampleSet } from './sample-set';

export interface ExportSummary {
  objects: number;
  train: number;
  test: number;
  images: number;
  files: number;
}

/** PNG name of view v: two digits as in R2N2 (more when there are over 100 views). */
export function viewFileName(v: number, views: number): string {
  return `${String(v).padStart(Math.max(2, String(views - 1).length), '0')}.png`;
}

export async function writeSampleSet(
  ctx: GpuContext,
  set: SampleSet,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<ExportSummary> {
  const { views: V, imageSize: S, points: N } = set.options;
  mkdirSync(dir, { recursive: true });
  let files = 0;
  const write = (path: string, data: Uint8Array | string) => {
    writeFileSync(path, data);
    files++;
  };

  const renderer = await planRender(ctx, { size: S, maxViews: V });
  const out = createStorageBuffer(ctx, imageTensorBytes(V, S), 'export.views'); // [V, 3, S, S]
  const plane = 3 * S * S;
  try {
    for (const [i, obj] of set.objects.entries()) {
      const plyDir = join(dir, obj.synset);
      mkdirSync(plyDir, { recursive: true });
      write(join(plyDir, `${obj.id}.ply`), encodePly(obj.points, obj.normals));

      renderObjectViews(ctx, renderer, obj, out, 0);
      const pixels = await readF32(ctx, out, V * plane);
      const rdir = join(dir, 'ShapeNetRendering', obj.synset, obj.id, 'rendering');
      mkdirSync(rdir, { recursive: true });
      const names: string[] = [];
      for (let v = 0; v < V; v++) {
        const name = viewFileName(v, V);
        names.push(name);
        write(
          join(rdir, name),
          encodeRgbaPng(chwToRgba8(pixels.subarray(v * plane, (v + 1) * plane), S), S, S),
        );
      }
      write(join(rdir, 'renderings.txt'), names.map((n) => `${n}\n`).join(''));
      write(
        join(rdir, 'rendering_metadata.txt'),
        obj.cameras.map((c) => `${c.azimuth} ${c.elevation} 0 ${c.distance} ${c.fov}\n`).join(''),
      );
      onProgress?.(i + 1, set.objects.length);
    }
  } finally {
    renderer.destroy();
    out.destroy();
  }

  await h5wasm.ready;
  const splits = { train: [] as SampleObject[], test: [] as SampleObject[] };
  for (const o of set.objects) splits[o.split].push(o);
  for (const [name, objs] of Object.entries(splits)) {
    const data = new Float32Array(objs.length * N * 3);
    const label = new Uint8Array(objs.length);
    objs.forEach((o, k) => {
      data.set(o.points, k * N * 3);
      label[k] = o.label;
    });
    const f = new h5wasm.File(join(dir, `${name}.h5`), 'w');
    try {
      f.create_dataset({ name: 'data', data, shape: [objs.length, N, 3] });
      f.create_dataset({ name: 'label', data: label, shape: [objs.length, 1] });
    } finally {
      f.close();
    }
    files++;
  }
  write(join(dir, 'classes.txt'), set.classes.map((c) => `${c}\n`).join(''));
  const manifest = {
    kind: 'crosspoint generated sample (procedural shapes, not ShapeNet)',
    options: set.options,
    classes: set.classes,
    objects: set.objects.map((o) => ({
      id: o.id,
      category: o.category,
      synset: o.synset,
      label: o.label,
      split: o.split,
    })),
  };
  write(join(dir, 'sample.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return {
    objects: set.objects.length,
    train: splits.train.length,
    test: splits.test.length,
    images: set.objects.length * V,
    files,
  };
}
