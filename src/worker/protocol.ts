import type { AdapterSummary } from '../gpu/adapter-info';
import type { SelfTestResult } from '../kernels/selftest';

/** Messages from the page to the engine worker. Every request carries an id echoed by its reply. */
export type EngineRequest =
  | { id: number; type: 'init' }
  | { id: number; type: 'selftest'; n?: number; seed?: number };

/** Messages from the engine worker to the page. */
export type EngineEvent =
  | { id: number; type: 'ready'; adapter: AdapterSummary; hasTimestamps: boolean }
  | { id: number; type: 'unavailable'; reason: string; advice: string }
  | { id: number; type: 'selftest'; result: SelfTestResult }
  | { id: number; type: 'error'; kind: string; message: string }
  | { id: -1; type: 'device-lost'; reason: string; message: string }
  | { id: -1; type: 'gpu-error'; kind: string; message: string };
