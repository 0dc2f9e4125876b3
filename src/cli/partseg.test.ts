import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { scratchDir } from '../../test/cli-fixtures';
import { writePartsegH5 } from '../../test/partseg-files';
import { readNpy } from '../io/npy';
import { partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import { initialiseParams } from '../nn/param-spec';
import { savePartSegWeights } from '../nn/partseg-weights';
import { partsegSize } from '../train/partseg-sizes';
import { Rng } from '../util/random';

const { dir } = scratchDir('crosspoint-partseg-');
const p = (f: string) => join(dir, f);
// 2 objects per category: 5 train and 5 test clouds of the five ShapeNetPart categories.
const SMALL = ['--size', 'small', '--k', '8', '--points', '64', '--batch', '4', '--per-class', '2'];
/** Fine-tuning on the generated set at the small size, with `more` flags; a model compile is minutes here. */
const partsegOnSample = (more: string[]) =>
  crosspoint(['partseg', '--train', 'sample', '--test', 'sample', ...SMALL, ...more], { timeoutMs: 900_000 });
/** A small-size part-segmentation weights file of `mode`, fresh from seed 3. */
const smallWeights = (name: string, mode: 'pretrain' | 'segment') => {
  const c = partsegSize('small', 8);
  writeFileSync(p(name), savePartSegWeights(c, initialiseParams(partSegParamSpecs(c, mode), 3), mode));
  return p(name);
};
/** The JSON lines of a --log file. */
const logLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('crosspoint partseg / partseg-eval', () => {
  it('fine-tunes on the generated set, logs every epoch, resumes, and partseg-eval agrees with the log', () => {
    const r = partsegOnSample(['--epochs', '2', '--out', p('a.safetensors'), '--log', p('a.jsonl')]);
    expect(r.stderr).toMatch(/5 train \/ 5 test clouds of 64 points, batch 4, 1 steps per epoch/);
    expect(r.code).toBe(0);
    let lines = logLines(p('a.jsonl'));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const key of [
      'train_loss',
      'train_accuracy',
      'train_instance_miou',
      'train_class_miou',
      'test_loss',
      'test_accuracy',
      'test_instance_miou',
      'test_class_miou',
    ]) {
      expect(lines[1][key], key).toBeGreaterThanOrEqual(0);
    }
    expect(lines[0].lr).toBeCloseTo(0.1, 9); // SGD's 0.1 at epoch 0, cosine to 1e-3
    const resumed = partsegOnSample([
      '--epochs',
      '3',
      '--resume',
      p('a.safetensors'),
      '--out',
      p('a.safetensors'),
      '--log',
      p('a.jsonl'),
    ]);
    expect(resumed.code).toBe(0);
    lines = logLines(p('a.jsonl'));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3]);
    expect(lines[2].step).toBe(3);

    const ev = crosspoint(
      [
        'partseg-eval',
        '--weights',
        p('a.safetensors'),
        '--test',
        'sample',
        '--points',
        '64',
        '--per-class',
        '2',
        '--batch', // the trainer evaluated with batches of 4: the same plan gives the same numbers bit for bit
        '4',
        '--out',
        p('eval'),
      ],
      { timeoutMs: 900_000 },
    );
    expect(ev.code).toBe(0);
    const out = JSON.parse(ev.stdout);
    expect(out.shapes).toBe(5);
    expect(out.k).toBe(8); // from the checkpoint's metadata
    expect(out.instance_miou).toBeCloseTo(lines[2].test_instance_miou, 12);
    expect(out.class_miou).toBeCloseTo(lines[2].test_class_miou, 12);
    expect(out.accuracy).toBeCloseTo(lines[2].test_accuracy, 12);
    const pred = readNpy(new Uint8Array(readFileSync(p('eval/pred.npy'))));
    expect(pred.shape).toEqual([5, 64]);
    expect(pred.dtype).toBe('int32');
  }, 3_600_000); // four CLI runs, each compiling the model's pipelines on SwiftShader

  it('starts from a dgcnn_seg pretraining checkpoint with the segmentation head fresh, and says so', () => {
    const pre = smallWeights('pre.safetensors', 'pretrain');
    const r = partsegOnSample(['--epochs', '1', '--weights', pre, '--out', p('b.safetensors')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--weights: \d+ tensors not in the file start fresh: conv7\.0\.weight/);
  }, 1_200_000);

  it('bad input: k above the points, a BN momentum out of range, a file without part labels, a category out of range', async () => {
    const k = crosspoint([
      'partseg',
      '--train',
      'sample',
      '--test',
      'sample',
      '--points',
      '16',
      '--k',
      '20',
      '--out',
      p('x'),
    ]);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/--k: 16 points per cloud are fewer than k = 20/);
    const m = crosspoint([
      'partseg',
      '--train',
      'sample',
      '--test',
      'sample',
      '--bn-momentum',
      '0',
      '--out',
      p('x'),
    ]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--bn-momentum: 0 is not in \(0, 1\] \(PyTorch's default is 0\.1\)/);
    const pts = new Rng(1).uniformArray(2 * 32 * 3, -1, 1);
    await writePartsegH5(p('nopid.h5'), pts, [0, 4], 32);
    const nopid = crosspoint([
      'partseg-eval',
      '--weights',
      smallWeights('seg.safetensors', 'segment'), // its own: the test runs alone too (-t)
      '--test',
      p('nopid.h5'),
      '--points',
      '32',
      '--out',
      p('e2'),
    ]);
    expect(nopid.code).toBe(2);
    expect(nopid.stderr).toMatch(/--test: .*nopid\.h5: no per-point part labels/);
    await writePartsegH5(p('badcat.h5'), pts, [0, 17], 32, Array(64).fill(0));
    const cat = crosspoint([
      'partseg',
      '--train',
      p('badcat.h5'),
      '--test',
      'sample',
      '--points',
      '32',
      '--k',
      '8',
      '--out',
      p('x'),
    ]);
    expect(cat.code).toBe(2);
    expect(cat.stderr).toMatch(
      /--train: .*badcat\.h5: cloud 1 has category 17, outside ShapeNetPart's 0\.\.15/,
    );
  }, 1_200_000);
});
