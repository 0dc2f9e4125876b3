/**
 * The history behind the training curves: per-step losses (thinned to a cap) and the
 * cross-modal similarity evaluations. The training session keeps it and writes it into every
 * checkpoint, so a restored run shows its curves from step 1, not from the restore.
 */
import type { StepMetrics } from './trainer-api';

/** One evaluation of the cross-modal similarity matrix (see src/eval/similarity-summary.ts). */
export interface SimilarityEval {
  step: number;
  /** Mean cosine similarity of an object's points and its own view. */
  simDiag: number;
  /** Mean cosine similarity of points and other objects' views. */
  simOff: number;
  /** Top-1 cross-modal retrieval in [0, 1], mean of points → images and images → points (absent in older histories). */
  retrieval?: number;
  /** Shapes in the evaluated batch (chance retrieval is 1 / batch). */
  batch?: number;
}

/** Loss curves, thinned to at most `cap` points: when full, every other point is dropped. */
export interface MetricsHistory {
  step: number[];
  imid: number[];
  cmid: number[];
  loss: number[];
  /** Only steps that are multiples of this are kept (doubles on each thinning). */
  stride: number;
  /** Similarity evaluations, oldest first (absent in histories written before they existed). */
  evals?: SimilarityEval[];
}

export const EMPTY_HISTORY: MetricsHistory = { step: [], imid: [], cmid: [], loss: [], stride: 1 };

/** The history up to and including `step` (what a checkpoint of that step had seen). */
export function historyUpTo(h: MetricsHistory, step: number): MetricsHistory {
  const n = h.step.findIndex((s) => s > step);
  if (n < 0 && !(h.evals ?? []).some((e) => e.step > step)) return h;
  const keep = n < 0 ? h.step.length : n;
  const out: MetricsHistory = {
    step: h.step.slice(0, keep),
    imid: h.imid.slice(0, keep),
    cmid: h.cmid.slice(0, keep),
    loss: h.loss.slice(0, keep),
    stride: h.stride,
  };
  if (h.evals) out.evals = h.evals.filter((e) => e.step <= step);
  return out;
}

export function appendMetrics(h: MetricsHistory, m: StepMetrics, cap = 1000): MetricsHistory {
  const last = h.step[h.step.length - 1];
  // A restart from an earlier step (Reset, a checkpoint, a recovery): the curve from there on no
  // longer applies, what came before it still does.
  if (last !== undefined && m.step <= last) h = historyUpTo(h, m.step - 1);
  if (m.step % h.stride !== 0 && h.step.length > 0) return h;
  let next: MetricsHistory = {
    ...h,
    step: [...h.step, m.step],
    imid: [...h.imid, m.lImid],
    cmid: [...h.cmid, m.lCmid],
    loss: [...h.loss, m.loss],
  };
  if (next.step.length > cap) {
    const stride = next.stride * 2;
    const keep = next.step.map((s, i) => (s % stride === 0 || i === 0 ? i : -1)).filter((i) => i >= 0);
    const pick = (a: number[]) => keep.map((i) => a[i]!);
    next = {
      ...next,
      step: pick(next.step),
      imid: pick(next.imid),
      cmid: pick(next.cmid),
      loss: pick(next.loss),
      stride,
    };
  }
  return next;
}

export function appendEval(h: MetricsHistory, e: SimilarityEval): MetricsHistory {
  const kept = (h.evals ?? []).filter((x) => x.step < e.step);
  return { ...h, evals: [...kept, e] };
}

/** JSON with NaN (a switched-off loss term) written as null, which JSON cannot otherwise hold. */
export function encodeHistory(h: MetricsHistory): string {
  return JSON.stringify(h, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

/**
 * Reads a history written by encodeHistory; undefined for anything malformed (a checkpoint's
 * curves are a convenience: a damaged history must not stop its weights from loading).
 */
export function decodeHistory(text: string | undefined): MetricsHistory | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const nums = (v: unknown): number[] | undefined =>
    Array.isArray(v) && v.every((x) => x === null || typeof x === 'number')
      ? v.map((x) => (x === null ? Number.NaN : (x as number)))
      : undefined;
  const step = nums(o.step);
  const imid = nums(o.imid);
  const cmid = nums(o.cmid);
  const loss = nums(o.loss);
  const stride = typeof o.stride === 'number' && o.stride >= 1 ? o.stride : undefined;
  if (!step || !imid || !cmid || !loss || stride === undefined) return undefined;
  if (imid.length !== step.length || cmid.length !== step.length || loss.length !== step.length) {
    return undefined;
  }
  const h: MetricsHistory = { step, imid, cmid, loss, stride };
  if (Array.isArray(o.evals)) {
    h.evals = o.evals.flatMap((e) => {
      const r = e as Record<string, unknown>;
      const ok = typeof r?.step === 'number';
      const num = (v: unknown) => (typeof v === 'number' ? v : Number.NaN);
      if (!ok) return [];
      const out: SimilarityEval = { step: r.step as number, simDiag: num(r.simDiag), simOff: num(r.simOff) };
      if (typeof r.retrieval === 'number') out.retrieval = r.retrieval;
      if (typeof r.batch === 'number') out.batch = r.batch;
      return [out];
    });
  }
  return h;
}
