/**
 * Cosine learning-rate schedule, as torch.optim.lr_scheduler.CosineAnnealingLR (closed form):
 * lr(t) = ηmin + (lr0 − ηmin)·(1 + cos(π·t/T))/2 for t in [0, T]. CrossPoint steps it once per
 * epoch with T = epochs; the trainer may also step it per iteration (t, T in steps).
 */
export function cosineLr(lr0: number, t: number, T: number, etaMin = 0): number {
  if (T <= 0) return lr0;
  const c = Math.min(Math.max(t, 0), T);
  return etaMin + ((lr0 - etaMin) * (1 + Math.cos((Math.PI * c) / T))) / 2;
}

/**
 * Epochs of a per-epoch schedule that ends with step `lastStep` (at epoch granularity: the epoch
 * that holds it is the schedule's last): ⌈lastStep / stepsPerEpoch⌉, at least 1.
 */
export function epochsReaching(lastStep: number, stepsPerEpoch: number): number {
  return Math.max(1, Math.ceil(lastStep / Math.max(1, stepsPerEpoch)));
}

/** Steps of one epoch: full batches only (the reference's loader drops the last partial one). */
export function stepsPerEpoch(trainObjects: number, batch: number): number {
  return Math.floor(trainObjects / batch);
}
