import type { EngineEvent, EngineRequest, EventOf } from './protocol';

type Pending = {
  resolve: (ev: EngineEvent) => void;
  reject: (e: Error) => void;
  onProgress?: (ev: EventOf<'progress'>) => void;
};
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<EngineRequest, 'id'>;

export interface RequestOptions {
  onProgress?: (ev: EventOf<'progress'>) => void;
  /** Buffers to transfer (not copy) to the worker. */
  transfer?: Transferable[];
}

/** The page's handle on the engine worker: request/reply by id, plus a stream of unsolicited events. */
export class EngineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(ev: EngineEvent) => void>();

  constructor() {
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'engine',
    });
    this.worker.onmessage = (m: MessageEvent<EngineEvent>) => {
      const ev = m.data;
      const p = this.pending.get(ev.id);
      if (p && ev.type === 'progress') {
        p.onProgress?.(ev);
      } else if (p) {
        this.pending.delete(ev.id);
        p.resolve(ev);
      } else {
        for (const l of this.listeners) l(ev);
      }
    };
    this.worker.onerror = (e) => {
      const err = new Error(`engine worker failed: ${e.message || 'could not start'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  request(req: RequestBody, opts: RequestOptions = {}): Promise<EngineEvent> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress: opts.onProgress });
      this.worker.postMessage({ ...req, id } as EngineRequest, opts.transfer ?? []);
    });
  }

  onEvent(fn: (ev: EngineEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
