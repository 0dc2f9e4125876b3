import { create } from 'zustand';
import type { AdapterSummary } from '../gpu/adapter-info';
import type { SelfTestResult } from '../kernels/selftest';
import { defaultPresetFor, PRESETS } from '../train/presets';
import { type DataFacts, validateTrainConfig } from '../train/train-config';
import type { StepMetrics, TrainConfig, TrainFault } from '../train/trainer-api';
import { EngineClient, type RequestBody } from '../worker/client';
import type {
  Capabilities,
  ClassifyReply,
  DatasetInfo,
  EmbeddingsReply,
  EngineEvent,
  EventOf,
  FewShotParams,
  FewShotReply,
  ObjectDetail,
  Projection,
  TrainerState,
  UpAxis,
} from '../worker/protocol';
import {
  appendMetrics,
  DEFAULT_HYPER,
  EMPTY_HISTORY,
  type HyperForm,
  type LossHistory,
  smoothStepMs,
  trainConfigFrom,
} from './model';
import { FEWSHOT_AIM, fewShotDefaults, MIN_EPISODES } from './fewshot-defaults';
import { formatUrlState, type PanelId, parseUrlState, type UrlState } from './url-state';

export type EngineStatus =
  | { kind: 'starting' }
  | { kind: 'ready'; adapter: AdapterSummary; hasTimestamps: boolean; capabilities: Capabilities }
  | { kind: 'unavailable'; reason: string; advice: string }
  | { kind: 'failed'; message: string };

/** Long work in progress, for a progress bar. */
export interface Task {
  label: string;
  done: number;
  total: number;
}

/** The outcome of a request a panel made: a result, a "not in this build" note, or an error. */
export type Outcome<T> =
  | { kind: 'idle' }
  | { kind: 'busy'; task: Task }
  | { kind: 'done'; value: T }
  | { kind: 'not-available'; message: string }
  | { kind: 'error'; message: string };

export const IDLE = { kind: 'idle' } as const;

export interface SampleForm {
  perClass: number;
  views: number;
}

/** Sample-set size (points and image size follow the preset, src/train/presets.ts). */
export const DEFAULT_SAMPLE: SampleForm = { perClass: 8, views: 4 };

const EMPTY_TRAINER: TrainerState = { exists: false, running: false, step: 0, config: null, autosave: null };

interface AppState {
  engine: EngineStatus;
  selfTest: SelfTestResult | undefined;
  notices: { id: number; text: string }[];
  url: UrlState;

  sampleForm: SampleForm;
  dataset: Outcome<DatasetInfo>;
  selected: number;
  object: Outcome<ObjectDetail>;

  hyper: HyperForm;
  trainer: TrainerState;
  /** A Train/Step/Reset/checkpoint request in flight, with its progress. */
  trainTask: Task | null;
  history: LossHistory;
  latest: StepMetrics | null;
  stepMs: number | null;
  faults: TrainFault[];
  checkpointMessage: string | null;
  /** After a reload: the autosave training can resume from (until Resume, Discard or a new run). */
  resumeOffer: { step: number; savedAt: number } | null;
  /** Why the preset differs from the usual default (a CPU fallback adapter), shown with the preset. */
  presetNote: string | null;

  projection: Projection;
  embeddings: Outcome<EmbeddingsReply>;
  fewshotForm: FewShotParams;
  fewshot: Outcome<FewShotReply>;
  upAxis: UpAxis;
  classify: Outcome<ClassifyReply>;
  /** The last file that could not be read (an alert), kept apart from the last good result. */
  fileError: string | null;

  start(): Promise<void>;
  dismissNotice(id: number): void;
  setUrl(patch: Partial<UrlState>): void;
  setSampleForm(patch: Partial<SampleForm>): void;
  generate(): Promise<void>;
  select(index: number): Promise<void>;
  setHyper(patch: Partial<HyperForm>): void;
  train(): Promise<void>;
  pause(): Promise<void>;
  step(): Promise<void>;
  reset(): Promise<void>;
  saveCheckpoint(download: boolean): Promise<Uint8Array | null>;
  /** The point encoder as an .onnx file, built in the engine worker. */
  exportOnnx(): Promise<Outcome<EventOf<'onnx'>>>;
  loadCheckpoint(file: File): Promise<void>;
  restoreAutosave(): Promise<void>;
  /** Restores the autosave the reload offered and trains on from it. */
  resume(): Promise<void>;
  discardResume(): void;
  setProjection(p: Projection): void;
  refreshEmbeddings(): Promise<void>;
  setFewshotForm(patch: Partial<FewShotParams>): void;
  runFewshot(): Promise<void>;
  setUpAxis(a: UpAxis): void;
  classifyFile(file: File): Promise<void>;
}

let client: EngineClient | undefined;
let nextNoticeId = 1;
/** The sample-set generation in flight and its parameters, so requests that need the set wait for it. */
let generating: Promise<void> | undefined;
let generatingParams = '';

/** The engine worker, created on first use. */
export function engineClient(): EngineClient {
  client ??= new EngineClient();
  return client;
}

export function currentConfig(s: Pick<AppState, 'url' | 'hyper'>): TrainConfig {
  return trainConfigFrom(s.url, s.hyper);
}

/**
 * The sizes of the sample set on screen, for the training config's check, when it is the set
 * Train would use (another preset's set is regenerated first, so it says nothing).
 */
export function dataFacts(s: Pick<AppState, 'url' | 'sampleForm' | 'dataset'>): DataFacts {
  const d = s.dataset;
  if (d.kind !== 'done' || JSON.stringify(d.value.params) !== JSON.stringify(sampleParams(s)))
    return NO_FACTS;
  return d.value.summary.trainCounts === lastFacts.counts
    ? lastFacts.facts
    : rememberFacts(d.value.summary.trainCounts);
}

const NO_FACTS: DataFacts = {};
// The same object for the same set, so a React selector does not re-render on every store change.
let lastFacts: { counts: number[] | null; facts: DataFacts } = { counts: null, facts: NO_FACTS };
function rememberFacts(counts: number[]): DataFacts {
  lastFacts = { counts, facts: { trainObjects: counts.reduce((a, b) => a + b, 0) } };
  return lastFacts.facts;
}

/** The sample-set parameters the current preset and form ask for. */
export function sampleParams(s: Pick<AppState, 'url' | 'sampleForm'>) {
  const p = PRESETS[s.url.preset];
  return { ...s.sampleForm, seed: s.url.seed, points: p.points, imageSize: p.imageSize };
}

/** Whether the page's address named a preset (then it is kept even on a CPU fallback adapter). */
const urlNamesPreset = typeof location !== 'undefined' && new URLSearchParams(location.search).has('preset');

function initialUrl(): UrlState {
  return typeof location === 'undefined' ? parseUrlState('') : parseUrlState(location.search);
}

export const useApp = create<AppState>((set, get) => {
  const notify = (text: string) => set({ notices: [...get().notices, { id: nextNoticeId++, text }] });

  /** Sends a request; turns errors and 'not-available' into an Outcome for the panel. */
  async function ask<T>(
    body: RequestBody,
    pick: (ev: EngineEvent) => T | undefined,
    onTask: (t: Task) => void,
    transfer?: Transferable[],
  ): Promise<Outcome<T>> {
    try {
      const ev = await engineClient().request(body, {
        transfer,
        onProgress: (p) => onTask({ label: p.task, done: p.done, total: p.total }),
      });
      if (ev.type === 'not-available') return { kind: 'not-available', message: ev.message };
      if (ev.type === 'error' || ev.type === 'file-error') return { kind: 'error', message: ev.message };
      const v = pick(ev);
      if (v === undefined) return { kind: 'error', message: `unexpected reply ${ev.type}` };
      return { kind: 'done', value: v };
    } catch (e) {
      return { kind: 'error', message: (e as Error).message };
    }
  }

  /** A trainer-changing request (Train, Step, Reset, checkpoint load); its reply is the new state. */
  async function trainerRequest(
    body: RequestBody,
    label: string,
    transfer?: Transferable[],
  ): Promise<{ history?: LossHistory } | null> {
    set({ trainTask: { label, done: 0, total: 0 } });
    const r = await ask(
      body,
      (ev) => (ev.type === 'trainer' ? ev : undefined),
      (t) => set({ trainTask: t }),
      transfer,
    );
    set({ trainTask: null });
    if (r.kind === 'done') {
      // A later action that succeeds clears the errors of earlier ones.
      set({ trainer: r.value.state, faults: [] });
      return { history: r.value.history };
    }
    if (r.kind === 'error' || r.kind === 'not-available') {
      set({ faults: [...get().faults, { kind: 'error', message: r.message }] });
    }
    return null;
  }

  function onEvent(ev: EngineEvent) {
    switch (ev.type) {
      case 'device-lost':
        notify(`GPU device lost: ${ev.message}`);
        return;
      case 'gpu-error':
        notify(`${ev.kind}: ${ev.message}`);
        return;
      case 'metrics': {
        const s = get();
        set({
          latest: ev.metrics,
          history: appendMetrics(s.history, ev.metrics),
          stepMs: smoothStepMs(s.stepMs, ev.metrics.stepMs),
          trainer: { ...s.trainer, step: ev.metrics.step },
        });
        return;
      }
      case 'fault':
        set({ faults: [...get().faults.slice(-4), ev.fault] });
        return;
      case 'trainer-state':
        // Sent on state changes and after each autosave, so the autosave line stays current.
        set({ trainer: ev.state });
        return;
    }
  }

  /** Whether the form's config can be trained; when not, says why (the form shows it too). */
  function configOk(): boolean {
    const problems = validateTrainConfig(currentConfig(get()), dataFacts(get()));
    if (problems.length === 0) return true;
    set({ faults: [...get().faults, { kind: 'error', message: problems.map((p) => p.message).join('; ') }] });
    return false;
  }

  /**
   * Ensures a sample set matching the preset exists (Train, Step and restores need one): waits for
   * a generation in flight (the one started on load) rather than failing, then generates if needed.
   */
  async function ensureDataset(): Promise<boolean> {
    if (generating) {
      set({ trainTask: { label: 'Waiting for the sample set', done: 0, total: 0 } });
      await generating;
      set({ trainTask: null });
    }
    const s = get();
    const d = s.dataset;
    if (d.kind === 'done' && JSON.stringify(d.value.params) === JSON.stringify(sampleParams(s))) return true;
    await get().generate();
    return get().dataset.kind === 'done';
  }

  return {
    engine: { kind: 'starting' },
    selfTest: undefined,
    notices: [],
    url: initialUrl(),
    sampleForm: DEFAULT_SAMPLE,
    dataset: IDLE,
    selected: 0,
    object: IDLE,
    hyper: DEFAULT_HYPER,
    trainer: EMPTY_TRAINER,
    trainTask: null,
    history: EMPTY_HISTORY,
    latest: null,
    stepMs: null,
    faults: [],
    checkpointMessage: null,
    resumeOffer: null,
    presetNote: null,
    projection: 'pca',
    embeddings: IDLE,
    fewshotForm: { ...FEWSHOT_AIM, episodes: MIN_EPISODES, seed: 0 }, // until a set is there
    fewshot: IDLE,
    upAxis: 'y',
    classify: IDLE,
    fileError: null,

    async start() {
      // The URL always names the full view, so it can be copied and shared as it is.
      if (typeof history !== 'undefined') history.replaceState(null, '', formatUrlState(get().url));
      if (!('gpu' in navigator)) {
        set({
          engine: {
            kind: 'unavailable',
            reason: 'This browser does not expose WebGPU (navigator.gpu is missing).',
            advice: WEBGPU_ADVICE,
          },
        });
        return;
      }
      const engine = engineClient();
      engine.onEvent(onEvent);
      try {
        const ev = await engine.request({ type: 'init' });
        if (ev.type === 'unavailable') {
          set({ engine: { kind: 'unavailable', reason: ev.reason, advice: ev.advice } });
          return;
        }
        if (ev.type !== 'ready')
          throw new Error(ev.type === 'error' ? ev.message : `unexpected reply ${ev.type}`);
        set({
          engine: {
            kind: 'ready',
            adapter: ev.adapter,
            hasTimestamps: ev.hasTimestamps,
            capabilities: ev.capabilities,
          },
        });
        if (!urlNamesPreset && defaultPresetFor(ev.adapter) !== get().url.preset) {
          get().setUrl({ preset: defaultPresetFor(ev.adapter) });
          const tiny = PRESETS.tiny;
          set({
            presetNote:
              'CPU fallback adapter detected: using the first-look preset; the tiny preset is ' +
              `${tiny.points} points and ${tiny.dgcnn.emb}-wide, hours of training on this adapter ` +
              'before the panels show learning (choose it under Training → Preset).',
          });
        }
        void engine.request({ type: 'selftest' }).then((st) => {
          if (st.type === 'selftest') set({ selfTest: st.result });
          else if (st.type === 'error') notify(`Kernel self-test failed: ${st.message}`);
        });
        void engine.request({ type: 'trainer-state', config: currentConfig(get()) }).then((r) => {
          if (r.type !== 'trainer') return;
          set({ trainer: r.state });
          // A reload mid-training: offer to go on from the autosave.
          const a = r.state.autosave;
          if (a && !r.state.exists && !get().trainer.exists) {
            set({ resumeOffer: { step: a.step, savedAt: a.savedAt } });
          }
        });
        // A first-time visitor sees shapes at once: generate the default sample set.
        if (ev.capabilities.dataset) void get().generate();
      } catch (e) {
        set({ engine: { kind: 'failed', message: (e as Error).message } });
      }
    },

    dismissNotice(id) {
      set({ notices: get().notices.filter((n) => n.id !== id) });
    },

    setUrl(patch) {
      const url = { ...get().url, ...patch };
      set({ url });
      if (typeof history !== 'undefined') history.replaceState(null, '', formatUrlState(url));
      if (patch.preset !== undefined || patch.seed !== undefined) {
        set({ resumeOffer: null }); // the offer was for the previous preset and seed
        void engineClient()
          .request({ type: 'trainer-state', config: currentConfig(get()) })
          .then((r) => r.type === 'trainer' && set({ trainer: r.state }));
      }
    },

    setSampleForm(patch) {
      set({ sampleForm: { ...get().sampleForm, ...patch } });
    },

    async generate() {
      // One generation at a time. The same set asked for again (React's development mode runs
      // start() twice) joins the one in flight; another set waits for it, then asks.
      const params = sampleParams(get());
      const key = JSON.stringify(params);
      if (generating && generatingParams === key) return generating;
      while (generating) await generating;
      generatingParams = key;
      const first: Task = { label: 'Generating the sample set', done: 0, total: 0 };
      set({ dataset: { kind: 'busy', task: first } });
      const run = async () => {
        const r = await ask(
          { type: 'generate', params },
          (ev) => (ev.type === 'dataset' ? ev.info : undefined),
          (task) => set({ dataset: { kind: 'busy', task } }),
        );
        // The few-shot form follows the set: defaults bounded by its objects per class.
        const fewshotForm =
          r.kind === 'done' ? fewShotDefaults(r.value.summary, get().fewshotForm.seed) : get().fewshotForm;
        set({ dataset: r, embeddings: IDLE, fewshot: IDLE, fewshotForm });
        if (r.kind === 'done' && r.value.objects.length > 0) {
          void get().select(Math.min(get().selected, r.value.objects.length - 1));
        }
      };
      generating = run().finally(() => {
        generating = undefined;
      });
      await generating;
    },

    async select(index) {
      set({
        selected: index,
        object: { kind: 'busy', task: { label: 'Loading the shape', done: 0, total: 0 } },
      });
      const r = await ask(
        { type: 'object', index },
        (ev) => (ev.type === 'object' ? ev.detail : undefined),
        () => {},
      );
      if (get().selected === index) set({ object: r });
    },

    setHyper(patch) {
      set({ hyper: { ...get().hyper, ...patch } });
    },

    async train() {
      if (get().trainer.running || get().trainTask || !configOk()) return;
      if (!(await ensureDataset())) return;
      const ok = await trainerRequest({ type: 'run', config: currentConfig(get()) }, 'Starting training');
      if (ok) set({ checkpointMessage: null, resumeOffer: null });
    },

    async pause() {
      await trainerRequest({ type: 'pause' }, 'Pausing after this step');
    },

    async step() {
      if (get().trainer.running || get().trainTask || !configOk()) return;
      if (!(await ensureDataset())) return;
      await trainerRequest({ type: 'step', config: currentConfig(get()) }, 'One step');
    },

    async reset() {
      const ok = await trainerRequest({ type: 'reset' }, 'Resetting');
      if (ok) {
        set({
          history: EMPTY_HISTORY,
          latest: null,
          stepMs: null,
          faults: [],
          embeddings: IDLE,
          fewshot: IDLE,
          checkpointMessage: null,
        });
      }
    },

    async saveCheckpoint(download) {
      set({ trainTask: { label: 'Saving a checkpoint', done: 0, total: 0 } });
      const r = await ask(
        { type: 'checkpoint-save' },
        (ev) => (ev.type === 'checkpoint' ? ev : undefined),
        () => {},
      );
      set({ trainTask: null });
      if (r.kind !== 'done') {
        set({
          checkpointMessage: `Could not save: ${r.kind === 'idle' || r.kind === 'busy' ? '' : r.message}`,
        });
        return null;
      }
      set({
        checkpointMessage: `Saved step ${r.value.step} in this browser${download ? ' and downloaded it' : ''}.`,
      });
      return r.value.bytes;
    },

    async exportOnnx() {
      set({ trainTask: { label: 'Exporting the encoder as ONNX', done: 0, total: 0 } });
      const r = await ask(
        { type: 'export-onnx', batch: 1 },
        (ev) => (ev.type === 'onnx' ? ev : undefined),
        () => {},
      );
      set({ trainTask: null });
      return r;
    },

    async loadCheckpoint(file) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const ok = await trainerRequest(
        { type: 'checkpoint-load', bytes, name: file.name, config: currentConfig(get()) },
        `Loading ${file.name}`,
        [bytes.buffer],
      );
      if (ok) {
        set({
          // The checkpoint's curves (older checkpoints have none: the curves start over).
          history: ok.history ?? EMPTY_HISTORY,
          latest: null,
          checkpointMessage: `Loaded ${file.name} (step ${get().trainer.step}).`,
        });
      }
    },

    async restoreAutosave() {
      if (get().trainer.running || get().trainTask) return;
      // Right after a reload the sample set is still being generated: wait for it.
      if (!(await ensureDataset())) return;
      const ok = await trainerRequest(
        { type: 'checkpoint-restore', config: currentConfig(get()) },
        'Restoring the autosave',
      );
      if (ok)
        set({
          history: ok.history ?? EMPTY_HISTORY,
          latest: null,
          checkpointMessage: `Restored the autosave (step ${get().trainer.step}).`,
        });
    },

    async resume() {
      set({ resumeOffer: null });
      await get().restoreAutosave();
      const t = get().trainer;
      if (!t.exists || t.running) return;
      const from = t.step;
      await get().train();
      if (get().trainer.running)
        set({ checkpointMessage: `Resumed training from the autosave of step ${from}.` });
    },

    discardResume() {
      set({ resumeOffer: null });
    },

    setProjection(p) {
      set({ projection: p });
    },

    async refreshEmbeddings() {
      if (get().embeddings.kind === 'busy') return;
      const prev = get().embeddings;
      set({ embeddings: { kind: 'busy', task: { label: 'Embedding the shapes', done: 0, total: 0 } } });
      const r = await ask(
        { type: 'embed', projection: get().projection, limit: 96 },
        (ev) => (ev.type === 'embeddings' ? ev.reply : undefined),
        (task) => set({ embeddings: { kind: 'busy', task } }),
      );
      // Keep the previous picture when a refresh fails for a passing reason.
      set({ embeddings: r.kind === 'error' && prev.kind === 'done' ? prev : r });
    },

    setFewshotForm(patch) {
      set({ fewshotForm: { ...get().fewshotForm, ...patch } });
    },

    async runFewshot() {
      if (get().fewshot.kind === 'busy') return;
      set({ fewshot: { kind: 'busy', task: { label: 'Few-shot evaluation', done: 0, total: 0 } } });
      const r = await ask(
        { type: 'fewshot', params: get().fewshotForm },
        (ev) => (ev.type === 'fewshot' ? ev.reply : undefined),
        (task) => set({ fewshot: { kind: 'busy', task } }),
      );
      set({ fewshot: r });
    },

    setUpAxis(a) {
      set({ upAxis: a });
    },

    async classifyFile(file) {
      const prev = get().classify;
      set({ classify: { kind: 'busy', task: { label: `Reading ${file.name}`, done: 0, total: 0 } } });
      const bytes = new Uint8Array(await file.arrayBuffer());
      let fileError: string | null = null;
      let result: Outcome<ClassifyReply> = IDLE;
      try {
        const ev = await engineClient().request(
          { type: 'classify', name: file.name, bytes, upAxis: get().upAxis },
          {
            transfer: [bytes.buffer],
            onProgress: (p) =>
              set({ classify: { kind: 'busy', task: { label: p.task, done: p.done, total: p.total } } }),
          },
        );
        if (ev.type === 'classified') result = { kind: 'done', value: ev.reply };
        else if (ev.type === 'file-error') fileError = ev.message;
        else if (ev.type === 'not-available') result = { kind: 'not-available', message: ev.message };
        else if (ev.type === 'error') result = { kind: 'error', message: ev.message };
      } catch (e) {
        result = { kind: 'error', message: (e as Error).message };
      }
      // A bad file leaves the previous result on screen and only raises the alert.
      if (fileError !== null) set({ fileError, classify: prev.kind === 'busy' ? IDLE : prev });
      else set({ fileError: null, classify: result });
    },
  };
});

export function openPanel(panel: PanelId): void {
  useApp.getState().setUrl({ panel });
}

// Kept here (not imported from gpu/context) so the main bundle does not pull engine code.
const WEBGPU_ADVICE =
  'Use a browser with WebGPU: Chrome or Edge 113+ on Windows, macOS or ChromeOS, Chrome 121+ on ' +
  'Android, Safari 26+, or Firefox 141+ on Windows. On Linux start Chrome/Chromium with ' +
  '--enable-unsafe-webgpu (and --enable-features=Vulkan), or enable chrome://flags/#enable-unsafe-webgpu.';
