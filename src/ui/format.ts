/** Number formatting shared by the panels and the status bar. */

export function formatLoss(v: number | undefined | null): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  return v.toFixed(4);
}

export function formatRate(stepMs: number | null | undefined): string {
  if (!stepMs || !Number.isFinite(stepMs) || stepMs <= 0) return '—';
  const r = 1000 / stepMs;
  return r >= 10 ? r.toFixed(1) : r >= 1 ? r.toFixed(2) : r.toPrecision(2);
}

/** A duration in seconds as "42 s", "3 min 05 s", "2 h 07 min", "3 d 4 h". */
export function formatDuration(sec: number | undefined | null): string {
  if (sec === undefined || sec === null || !Number.isFinite(sec) || sec < 0) return '—';
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86400)
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function formatPercent(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)} %` : '—';
}

/** Accuracy ± std as "62.5 ± 4.1 %". */
export function formatAccuracy(mean: number, std: number): string {
  if (!Number.isFinite(mean)) return '—';
  return `${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)} %`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A local wall-clock time as "HH:MM:SS" (or "HH:MM"), 24-hour, for autosave times. */
export function formatClock(ms: number, seconds = true): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return seconds ? `${hm}:${two(d.getSeconds())}` : hm;
}
