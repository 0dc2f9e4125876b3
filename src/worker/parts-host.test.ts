import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { scratchDir } from '../../test/cli-fixtures';
import { setupGpu } from '../../test/gpu';
import { generateSampleSet } from '../data/sample-set';
import { partsegFromSample } from '../data/partseg-set';
import { partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import { initialiseParams } from '../nn/param-spec';
import { loadPartSegWeights } from '../nn/partseg-weights';
import type { PartsPageConfig } from '../train/partseg-page';
import { partsegSize } from '../train/partseg-sizes';
import { PartsegTrainer, readPartsegCheckpointInfo } from '../train/partseg-trainer';
import type { StoredCheckpoint } from './checkpoint-store';
import { GpuQueue } from './gpu-queue';
import { PartsHost, type PartsStore } from './parts-host';
import type { EngineEvent, PartsArm } from './protocol';

// The Parts runs' checkpoints in the worker at a tiny size: the autosave after each epoch is a
// `crosspoint partseg --out` checkpoint, a fresh host (a reload) restores both runs with their
// curves and weights, and a checkpoint written the command line's way loads as a run.

const gpu = setupGpu();
const { dir } = scratchDir('crosspoint-parts-host-');
const config: PartsPageConfig = {
  model: 'small',
  points: 32,
  k: 4,
  batch: 2,
  perClass: 2,
  epochs: 2,
  seed: 3,
  bnMomentum: 0.5, // not PyTorch's 0.1: a checkpoint must carry it to the command line
};

function mapStore(): PartsStore & { map: Map<PartsArm, StoredCheckpoint> } {
  const map = new Map<PartsArm, StoredCheckpoint>();
  return {
    map,
    get: async (arm) => map.get(arm),
    put: async (arm, epoch, bytes) => {
      map.set(arm, { key: arm, step: epoch, savedAt: 1, bytes });
    },
    clear: async () => map.clear(),
  };
}

function host(store: PartsStore) {
  const events: EngineEvent[] = [];
  const h = new PartsHost(gpu(), (ev) => events.push(ev), new GpuQueue(() => false), store);
  return { h, events };
}

/** Plays until both runs have finished `n` epochs, then pauses. */
async function playEpochs(h: PartsHost, events: EngineEvent[], n: number) {
  h.play();
  while (events.filter((e) => e.type === 'parts-epoch').length < 2 * n)
    await new Promise((r) => setTimeout(r, 20));
  await h.pause();
}

describe('Parts runs checkpointed', () => {
  it('autosaves each run as a partseg checkpoint; a fresh host restores both with curves and weights', async () => {
    const store = mapStore();
    const a = host(store);
    await a.h.create(config, null);
    await playEpochs(a.h, a.events, 1);
    // Both runs have an epoch; the pretrained one may have finished its second before the pause.
    const reached = a.h.state().epochs;
    expect(reached.random).toBe(1);
    expect([...store.map.keys()].sort()).toEqual(['pretrained', 'random']);
    expect(store.map.get('random')!.step).toBe(1);
    expect(store.map.get('pretrained')!.step).toBe(reached.pretrained);
    // What the command line reads (--resume, partseg-eval --weights).
    const info = readPartsegCheckpointInfo(store.map.get('random')!.bytes);
    expect(info).toMatchObject({ epoch: 1, run: { points: 32, batch: 2, seed: 3, epochs: 2 } });
    expect(a.h.state().autosave?.epochs).toEqual(reached);

    const b = host(store);
    await b.h.sync();
    expect(b.h.state()).toMatchObject({ exists: false, autosave: { epochs: reached, config } });
    await b.h.restore();
    expect(b.h.state()).toMatchObject({ exists: true, running: false, epochs: reached, config });
    expect(b.h.epochs()).toEqual(a.h.epochs());
    expect(
      b.h
        .epochs()
        .filter((e) => e.arm === 'random')
        .map((e) => e.epoch),
    ).toEqual([1]);
    for (const arm of ['pretrained', 'random'] as PartsArm[]) {
      const wa = loadPartSegWeights((await a.h.download(arm)).bytes).values;
      const wb = loadPartSegWeights((await b.h.download(arm)).bytes).values;
      for (const [name, v] of wa) expect([...wb.get(name)!], name).toEqual([...v]);
    }
    // It trains on from there to the end of its schedule.
    b.h.play();
    while (b.h.state().running) await new Promise((r) => setTimeout(r, 20));
    expect(b.h.state()).toMatchObject({ epochs: { pretrained: 2, random: 2 }, error: null });
    a.h.destroy();
    b.h.destroy();
  }, 400_000);

  it('a command line checkpoint loads as a run; a file that is not one is refused and changes nothing', async () => {
    const ctx = gpu();
    const set = generateSampleSet({ perClass: 2, points: 32, views: 1, imageSize: 8, seed: 3 });
    const run = {
      model: partsegSize('small', 4),
      batch: 2,
      points: 32,
      epochs: 2,
      seed: 3,
      optimizer: 'sgd' as const,
      augment: true,
      bnMomentum: config.bnMomentum,
    };
    const trainer = await PartsegTrainer.create(
      ctx,
      run,
      partsegFromSample(set, 'train'),
      initialiseParams(partSegParamSpecs(run.model), 5),
    );
    await trainer.runEpoch(partsegFromSample(set, 'test'));
    const cli = await trainer.checkpoint();
    const cliValues = await trainer.values();
    trainer.destroy();

    const store = mapStore();
    const { h } = host(store);
    await h.create(config, null);
    const message = await h.load('random', 'cli.safetensors', cli, null);
    expect(message).toBe('Loaded cli.safetensors (epoch 1 of 2) as the random run.');
    expect(h.state().epochs).toEqual({ pretrained: 0, random: 1 });
    expect(h.epochs().map((e) => `${e.arm} ${e.epoch}`)).toEqual(['random 1']);
    const loaded = loadPartSegWeights((await h.download('random')).bytes).values;
    for (const [name, v] of cliValues) expect([...loaded.get(name)!], name).toEqual([...v]);
    // The loaded state is the autosave.
    expect(store.map.get('random')!.step).toBe(1);

    await expect(h.load('pretrained', 'junk.safetensors', Uint8Array.of(1, 2, 3), null)).rejects.toThrow(
      /^junk\.safetensors: not a readable checkpoint .*Nothing was changed\.$/,
    );
    const other = { ...run, model: { ...run.model, emb: 96 } };
    const odd = await PartsegTrainer.create(
      ctx,
      other,
      partsegFromSample(set, 'train'),
      initialiseParams(partSegParamSpecs(other.model), 5),
    );
    const oddBytes = await odd.checkpoint();
    odd.destroy();
    await expect(h.load('pretrained', 'odd.safetensors', oddBytes, null)).rejects.toThrow(
      /odd\.safetensors: its model widths \(EdgeConv 16, embedding 96\) are none of the Parts panel's sizes/,
    );
    expect(h.state().epochs).toEqual({ pretrained: 0, random: 1 });
    h.destroy();
  }, 400_000);

  it('a run downloaded from the page resumes in crosspoint partseg --resume as the page goes on, and partseg-eval scores it', async () => {
    const { h, events } = host(mapStore());
    await h.create(config, null);
    await playEpochs(h, events, 1);
    const { bytes, epoch } = await h.download('random');
    expect(epoch).toBe(1);
    const file = join(dir, 'page-random.safetensors');
    writeFileSync(file, bytes);
    // The page's generated set is the command line's `sample` at the same --per-class and seed.
    const sample = [
      '--test',
      'sample',
      '--per-class',
      String(config.perClass),
      '--seed',
      String(config.seed),
    ];
    const ev = crosspoint(
      [
        'partseg-eval',
        '--weights',
        file,
        ...sample,
        '--points',
        '32',
        '--batch',
        '2',
        '--out',
        join(dir, 'ev'),
      ],
      { timeoutMs: 900_000 },
    );
    expect(ev.stderr).toBe('');
    expect(ev.code).toBe(0);
    const first = h.epochs().find((e) => e.arm === 'random' && e.epoch === 1)!;
    const scored = JSON.parse(ev.stdout);
    expect(scored.shapes).toBe(5);
    expect(scored.k).toBe(config.k); // from the checkpoint
    // The page evaluated with the same planned batch: the same numbers.
    expect(scored.instance_miou).toBeCloseTo(first.instanceMiou, 12);
    expect(scored.accuracy).toBeCloseTo(first.accuracy, 12);

    const log = join(dir, 'resumed.jsonl');
    const resumed = crosspoint(
      ['partseg', '--train', 'sample', ...sample, '--epochs', String(config.epochs), '--resume', file].concat(
        ['--out', join(dir, 'resumed.safetensors'), '--log', log],
      ),
      { timeoutMs: 900_000 },
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/from .*page-random\.safetensors \(epoch 1\)/);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([2]);
    // The page's own second epoch of that run: the same batches, dropout, steps and scores.
    h.play();
    while (h.state().running) await new Promise((r) => setTimeout(r, 20));
    const second = h.epochs().find((e) => e.arm === 'random' && e.epoch === 2)!;
    expect(lines[0].step).toBe(second.step);
    expect(lines[0].train_loss).toBeCloseTo(second.trainLoss, 6);
    expect(lines[0].test_instance_miou).toBeCloseTo(second.instanceMiou, 6);
    expect(lines[0].test_loss).toBeCloseTo(second.testLoss, 6);
    h.destroy();
  }, 1_800_000);

  it('runs each fine-tuning step as its own GPU job, so a running pretraining goes on between them', async () => {
    let pretraining = false;
    const q = new GpuQueue(() => pretraining);
    const jobs: number[] = []; // per gap between two pretraining steps: the Parts jobs it ran
    let ran = 0;
    const exclusive = q.exclusive.bind(q);
    q.exclusive = (fn) =>
      exclusive(() => {
        ran++;
        return fn();
      });
    const events: EngineEvent[] = [];
    let ranAtFirstEpoch = -1;
    const post = (ev: EngineEvent) => {
      if (ev.type === 'parts-epoch' && ranAtFirstEpoch < 0) ranAtFirstEpoch = ran;
      events.push(ev);
    };
    const h = new PartsHost(gpu(), post, q, mapStore());
    await h.create(config, null); // 5 train clouds, batch 2: 2 steps per epoch
    ran = 0;
    pretraining = true;
    h.play();
    // A pretraining run: a step, then the gap its breathe hook opens.
    while (!events.some((e) => e.type === 'parts-epoch')) {
      await new Promise((r) => setTimeout(r, 5)); // "the step"
      const before = ran;
      await q.drain();
      jobs.push(ran - before);
    }
    // The first epoch of the first run took 2 steps and its end (test split, checkpoint), each
    // in its own gap; never more than one Parts job held a gap.
    expect(Math.max(...jobs)).toBe(1);
    expect(ranAtFirstEpoch).toBe(3);
    expect(jobs.filter((n) => n === 1).length).toBeGreaterThanOrEqual(3);
    const first = events.find((e) => e.type === 'parts-epoch')!;
    expect(first).toMatchObject({ epoch: { arm: 'pretrained', epoch: 1, step: 2 } });
    pretraining = false;
    await q.drain();
    await h.pause();
    h.destroy();
  }, 400_000);
});
