/** ε of the reference's `cal_loss` (CrossPoint util.py): the true class gets 1 − ε, the others ε/(C − 1). */
export const LABEL_SMOOTHING = 0.2;

/** The smoothed target's two values for C classes and smoothing ε: [true class, every other class]. */
export function smoothedTarget(C: number, eps = LABEL_SMOOTHING): { on: number; off: number } {
  if (C < 2) throw new Error(`label smoothing needs at least 2 classes (got ${C})`);
  return { on: 1 - eps, off: eps / (C - 1) };
}
