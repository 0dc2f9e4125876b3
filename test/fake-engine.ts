/**
 * A fake engine worker and address bar for the page's store (src/ui/store): requests are answered
 * by `replies[type]`, recorded in `requests`; `emit` sends an unsolicited event to the store.
 */
import type { RequestBody, RequestOptions } from '../src/worker/client';
import type { EngineEvent } from '../src/worker/protocol';

export type Reply = (req: RequestBody, opts: RequestOptions) => EngineEvent | Promise<EngineEvent>;

export class FakeEngine {
  readonly replies: Record<string, Reply> = {};
  readonly requests: RequestBody[] = [];
  private listeners: ((ev: EngineEvent) => void)[] = [];

  request(req: RequestBody, opts: RequestOptions = {}): Promise<EngineEvent> {
    this.requests.push(req);
    const r = this.replies[req.type];
    return Promise.resolve(
      r ? r(req, opts) : { id: 1, type: 'error', kind: 'Error', message: `no fake for ${req.type}` },
    );
  }

  onEvent(fn: (ev: EngineEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  emit(ev: EngineEvent): void {
    for (const l of this.listeners) l(ev);
  }

  /** The request types sent so far, in order. */
  types(): string[] {
    return this.requests.map((r) => r.type);
  }
}

/** An address bar holding `search`; `written` has every query the store wrote. */
export function fakeAddress(search = '') {
  const written: string[] = [];
  return {
    written,
    read: () => search,
    write: (s: string) => {
      written.push(s);
      search = s;
    },
  };
}

/** Lets the promises the store started without awaiting settle. */
export const settle = () => new Promise((r) => setTimeout(r, 5));
