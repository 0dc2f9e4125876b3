/** What the slices share: the engine worker (created on first use), the address bar and `ask`. */
import { EngineClient } from '../../worker/client';
import { parseAddress } from '../address';
import type { Address, Engine, Outcome, StoreDeps } from './state';

export const IDLE = { kind: 'idle' } as const satisfies Outcome<never>;

/** The browser's address bar; outside a browser (unit tests) an empty query that is not written. */
export const browserAddress: Address = {
  read: () => (typeof location === 'undefined' ? '' : location.search),
  write: (search) => {
    if (typeof history !== 'undefined') history.replaceState(null, '', search);
  },
};

/** window.confirm in a browser; outside one (unit tests without a fake) yes. */
const browserConfirm = (q: string) => (typeof confirm === 'undefined' ? true : confirm(q));

/** The deps of one store: `engine` is the given one, or an EngineClient made on first use. */
export function storeDeps(
  given?: Engine,
  address: Address = browserAddress,
  ask: (question: string) => boolean = browserConfirm,
): StoreDeps {
  let made: Engine | undefined = given;
  const engine = () => {
    made ??= new EngineClient();
    return made;
  };
  return {
    engine,
    address,
    initial: parseAddress(address.read()),
    confirm: ask,
    async ask(body, pick, onTask, transfer) {
      try {
        const ev = await engine().request(body, {
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
    },
  };
}
