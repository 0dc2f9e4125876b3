/**
 * The page's state: one zustand store made of slices, one concern each (state.ts lists them).
 *
 * To add a slice: declare its interface in state.ts and add it to `AppState`; write
 * `<concern>-slice.ts` exporting `create<Concern>Slice: SliceCreator<…>` (its initial state and
 * actions; private state such as a promise in flight lives in the creator's closure, never in a
 * module variable; other slices are reached through `get()`); spread it in `createAppStore`
 * below; test it in `<concern>-slice.test.ts` on `createAppStore(fakeEngine)` (test/fake-engine.ts).
 */
import { create } from 'zustand';
import type { PanelId } from '../url-state';
import { createCheckpointSlice } from './checkpoint-slice';
import { createClassifySlice } from './classify-slice';
import { createDatasetSlice } from './dataset-slice';
import { createEmbeddingsSlice } from './embeddings-slice';
import { createEngineSlice } from './engine-slice';
import { createFewshotSlice } from './fewshot-slice';
import { createPretrainingSlice } from './pretraining-slice';
import { createFolderSlice } from './folder-slice';
import { createPartsSlice } from './parts-slice';
import { createSettingsSlice } from './settings-slice';
import type { Address, AppState, Engine } from './state';
import { storeDeps } from './engine-link';
import { createTrainingSlice } from './training-slice';

export { DEFAULT_SAMPLE } from '../model';
export { dataFacts, sampleParams } from './dataset-slice';
export { IDLE } from './engine-link';
export { folderParams } from './folder-slice';
export type { AppState, EngineStatus, FolderForm, Outcome, SampleForm, Task } from './state';
export { currentConfig, isFinished, runConfig, unsavedSteps } from './training-slice';

/** A store; the page's is `useApp`, tests make their own with a fake engine and address. */
export function createAppStore(engine?: Engine, address?: Address, confirm?: (q: string) => boolean) {
  const deps = storeDeps(engine, address, confirm);
  return create<AppState>()((set, get) => ({
    ...createEngineSlice(set, get, deps),
    ...createSettingsSlice(set, get, deps),
    ...createDatasetSlice(set, get, deps),
    ...createFolderSlice(set, get, deps),
    ...createTrainingSlice(set, get, deps),
    ...createCheckpointSlice(set, get, deps),
    ...createEmbeddingsSlice(set, get, deps),
    ...createFewshotSlice(set, get, deps),
    ...createPretrainingSlice(set, get, deps),
    ...createClassifySlice(set, get, deps),
    ...createPartsSlice(set, get, deps),
  }));
}

export const useApp = createAppStore();

export function openPanel(panel: PanelId): void {
  useApp.getState().setUrl({ panel });
}
