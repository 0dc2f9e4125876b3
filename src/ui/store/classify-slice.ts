/** The Classify panel: a dropped file's reading and the model's answer; bad files raise an alert. */
import type { ClassifyReply } from '../../worker/protocol';
import { IDLE } from './engine-link';
import type { ClassifySlice, OodReferenceForm, Outcome, SliceCreator } from './state';

/** The request's reference: absent for the training set (also when no evaluation set is loaded). */
function referenceChoice(f: OodReferenceForm, haveEvalSet: boolean) {
  return f.source === 'eval-set' && haveEvalSet ? { reference: { split: f.split, classes: f.classes } } : {};
}

export const createClassifySlice: SliceCreator<ClassifySlice> = (set, get, { engine }) => ({
  upAxis: 'y',
  classify: IDLE,
  fileError: null,
  oodReference: { source: 'set', split: 'train', classes: [] },

  setOodReference(patch) {
    set({ oodReference: { ...get().oodReference, ...patch } });
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
      const ev = await engine().request(
        {
          type: 'classify',
          name: file.name,
          bytes,
          upAxis: get().upAxis,
          ...referenceChoice(get().oodReference, get().evalSet.kind === 'done'),
        },
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
});
