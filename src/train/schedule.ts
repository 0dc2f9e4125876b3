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
