/**
 * How the analyses reach a model: the trainer's own eval-mode methods, run as short jobs that
 * the host schedules (the worker runs each one between two training steps, so training goes on
 * while an analysis runs; the CLI can run them directly).
 */
import type { Trainer } from '../train/trainer';

/** The trainer as the analyses read it (its own types: no re-declared interface). */
export type EvalEncoder = Pick<
  Trainer,
  'embed' | 'features' | 'cloudFeatures' | 'cloudsFeatures' | 'step' | 'resolved'
>;

/** Runs one short GPU job on the model. */
export type RunJob = <T>(job: (e: EvalEncoder) => Promise<T>) => Promise<T>;

/** What feature extraction reads: the trainer, or an eval-only snapshot of its point encoder. */
export type FeatureEncoder = Pick<EvalEncoder, 'features' | 'cloudsFeatures' | 'step'>;

/** Runs one short feature job (on the trainer or a snapshot). */
export type RunFeatureJob = <T>(job: (e: FeatureEncoder) => Promise<T>) => Promise<T>;

/** Progress of a named task (done of total units). */
export type Progress = (task: string, done: number, total: number) => void;

/** Runs every job at once on `e` (no training to interleave with: the CLI, tests). */
export function direct(e: EvalEncoder): RunJob {
  return (job) => job(e);
}
