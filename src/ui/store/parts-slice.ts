/**
 * The Parts panel: the fine-tuning size, the two runs' state and epoch curves (pushed by the
 * worker), and a dropped shape's coloured prediction; a bad file or size raises one alert and
 * keeps what was on screen.
 */
import { isCpuFallback } from '../../train/presets';
import { PARTS_PAGE_SIZES, type PartsPageSizeName, partsConfigProblem } from '../../train/partseg-page';
import type { RequestBody } from '../../worker/client';
import type { EngineEvent, PartsPrediction } from '../../worker/protocol';
import { IDLE } from './engine-link';
import type { Outcome, PartsSlice, SliceCreator } from './state';

export const createPartsSlice: SliceCreator<PartsSlice> = (set, get, { engine, confirm }) => {
  /**
   * Sends a Parts request; a file-error or a refused size becomes the panel's alert. A reply with
   * the runs' epochs (restore, load) replaces the curves.
   */
  async function send(body: RequestBody, transfer: Transferable[] = []): Promise<EngineEvent | null> {
    try {
      const ev = await engine().request(body, { transfer });
      if (ev.type === 'parts-state') {
        set({ partsState: ev.state });
        if (ev.epochs) set({ partsEpochs: ev.epochs });
        if (ev.message) set({ partsMessage: ev.message, partsAlert: null });
      }
      if (ev.type === 'file-error' || ev.type === 'error') {
        set({ partsAlert: ev.message });
        return null;
      }
      return ev;
    } catch (e) {
      set({ partsAlert: (e as Error).message });
      return null;
    }
  }

  return {
    partsForm: { ...PARTS_PAGE_SIZES['first-look'] },
    partsSize: 'first-look',
    partsState: null,
    partsEpochs: [],
    partsPrediction: IDLE,
    partsCategory: 4,
    partsArm: 'pretrained',
    partsAlert: null,
    partsMessage: null,

    choosePartsSize(size: PartsPageSizeName | 'custom') {
      if (size === 'custom') set({ partsSize: size });
      else set({ partsSize: size, partsForm: { ...PARTS_PAGE_SIZES[size] } });
    },

    partsSizeForAdapter() {
      const e = get().engine;
      if (e.kind === 'ready' && !isCpuFallback(e.adapter)) get().choosePartsSize('reference');
    },

    setPartsForm(patch) {
      set({ partsForm: { ...get().partsForm, ...patch }, partsSize: 'custom' });
    },

    setPartsCategory(c) {
      set({ partsCategory: c });
    },

    setPartsArm(a) {
      set({ partsArm: a });
    },

    dismissPartsAlert() {
      set({ partsAlert: null });
    },

    async startParts() {
      const config = get().partsForm;
      const problem = partsConfigProblem(config);
      if (problem) {
        set({ partsAlert: problem });
        return;
      }
      set({ partsEpochs: [], partsAlert: null, partsMessage: null });
      await send({ type: 'parts-start', config });
    },

    async playParts() {
      await send({ type: 'parts-play' });
    },

    async pauseParts() {
      await send({ type: 'parts-pause' });
    },

    onPartsEvent(ev) {
      if (ev.type === 'parts-epoch')
        set({ partsEpochs: [...get().partsEpochs, ev.epoch], partsState: ev.state });
      else if (ev.type === 'parts-state') set({ partsState: ev.state });
    },

    async syncParts() {
      await send({ type: 'parts-sync' });
    },

    async restoreParts() {
      const s = get().partsState;
      if (s?.exists && !confirm('Restoring the autosave replaces the runs on screen. Go on?')) return;
      await send({ type: 'parts-restore' });
    },

    async loadPartsCheckpoint(arm, file) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      await send({ type: 'parts-load', arm, name: file.name, bytes }, [bytes.buffer]);
    },

    async downloadPartsCheckpoint(arm) {
      const ev = await send({ type: 'parts-download', arm });
      if (ev?.type !== 'parts-checkpoint') return null;
      set({ partsMessage: `Downloaded the ${arm} run at epoch ${ev.epoch}.` });
      return { bytes: ev.bytes, epoch: ev.epoch };
    },

    async discardPartsAutosave() {
      const a = get().partsState?.autosave;
      if (!a || !confirm('Delete the autosaved Parts runs from this browser? They cannot be brought back.'))
        return;
      await send({ type: 'parts-autosave-discard' });
      set({ partsMessage: 'Deleted the autosaved Parts runs.' });
    },

    async predictParts(file) {
      const prev = get().partsPrediction;
      set({ partsPrediction: { kind: 'busy', task: { label: `Reading ${file.name}`, done: 0, total: 0 } } });
      const bytes = new Uint8Array(await file.arrayBuffer());
      const ev = await send(
        { type: 'parts-predict', name: file.name, bytes, category: get().partsCategory, arm: get().partsArm },
        [bytes.buffer],
      );
      let next: Outcome<PartsPrediction> = prev.kind === 'busy' ? IDLE : prev;
      if (ev?.type === 'parts-prediction') {
        next = { kind: 'done', value: ev.reply };
        set({ partsAlert: null });
      }
      set({ partsPrediction: next });
    },
  };
};
