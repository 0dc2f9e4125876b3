import { useState } from 'react';
import { cosineLr } from '../../train/schedule';
import { PRESETS } from '../../train/presets';
import { type Limit, resolveConfig, trainLimits } from '../../train/train-config';
import { NotAvailable, Progress } from '../components/Bits';
import { DatasetTag } from '../components/DatasetTag';
import { SeedField } from '../components/SeedField';
import { type HyperForm, hyperErrors, sameConfig } from '../model';
import { currentConfig, dataFacts, isFinished, useApp } from '../store';
import { CheckpointCard } from './CheckpointCard';
import { TrainingCurves } from './TrainingCurves';
import { ProgressCard } from './TrainingProgress';

/** A limit from the training config's check, as a tooltip: "2 to 26 (the objects in the training split)". */
function limitText(l: Limit): string {
  return Number.isFinite(l.max) ? `${l.min} to ${l.max} (${l.why})` : `at least ${l.min}`;
}

export function TrainingPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const noTrainer = caps !== null && !caps.trainer;
  return (
    <section aria-label="Training" className="panel">
      <header className="panel-head">
        <h2>Training</h2>
        <p className="panel-sub">
          L = L<sub>imid</sub> (two augmented copies of each cloud) + L<sub>cmid</sub> (the clouds’ prototype
          against a rendered view), NT-Xent, Adam with a cosine schedule. Blank fields use the preset’s value.
        </p>
        <DatasetTag />
      </header>
      {noTrainer && (
        <NotAvailable what="Training" message="The CrossPoint trainer is not in this build yet." />
      )}
      <div className="train-grid">
        <div className="card">
          <h3>Configuration</h3>
          <SettingsForm />
          <RunControls noTrainer={noTrainer} />
        </div>
        <ProgressCard />
        <TrainingCurves />
        <CheckpointCard disabled={noTrainer} />
      </div>
    </section>
  );
}

/** The run's settings (locked while a model exists), with the notes and problems of the form. */
function SettingsForm() {
  const trainer = useApp((s) => s.trainer);
  const url = useApp((s) => s.url);
  const hyper = useApp((s) => s.hyper);
  // The sample set's sizes, when the one on screen is the one Train would use.
  const facts = useApp(dataFacts);
  const presetNote = useApp((s) => s.presetNote);
  const { setUrl, setHyper } = useApp.getState();
  const config = currentConfig({ url, hyper });
  const errors = hyperErrors(hyper, url, facts);
  const limits = trainLimits(config, facts);
  const preset = PRESETS[url.preset];
  const locked = trainer.exists; // the config of a built trainer changes only through Reset
  const pending = trainer.exists && trainer.config && !sameConfig(trainer.config, config);

  const num = (
    key: keyof HyperForm,
    label: string,
    placeholder: number | string,
    stepAttr = 'any',
    limit?: Limit,
  ) => (
    <label title={limit && limitText(limit)}>
      {label}
      <input
        type="number"
        step={stepAttr}
        min={limit?.min}
        max={limit && Number.isFinite(limit.max) ? limit.max : undefined}
        value={hyper[key] as string}
        placeholder={String(placeholder)}
        onChange={(e) => setHyper({ [key]: e.target.value } as Partial<HyperForm>)}
      />
    </label>
  );
  const check = (key: 'imid' | 'cmid') => (
    <label className="check">
      <input type="checkbox" checked={hyper[key]} onChange={(e) => setHyper({ [key]: e.target.checked })} />
      <span>
        L<sub>{key}</sub>
      </span>
    </label>
  );

  return (
    <>
      <fieldset className="form-grid" disabled={locked}>
        <label>
          Preset
          <select
            value={url.preset}
            onChange={(e) => setUrl({ preset: e.target.value as typeof url.preset })}
          >
            {Object.values(PRESETS).map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}: {p.points} points, {p.imageSize}×{p.imageSize} views
              </option>
            ))}
          </select>
          <span className="muted-sm" data-testid="preset-where">
            Made for {preset.where}.
          </span>
        </label>
        <SeedField />
        {num('batch', 'Batch', preset.batch, '1', limits.batch)}
        {num('lr', 'Learning rate', preset.lr)}
        {num('weightDecay', 'Weight decay', preset.weightDecay)}
        {num('temperature', 'Temperature', preset.temperature)}
        {num('k', 'k (neighbours)', preset.dgcnn.k, '1', limits.k)}
        {num('epochs', 'Epochs', preset.epochs, '1')}
        {num('checkpointEvery', 'Autosave every (steps)', 25, '1')}
        <div className="checks">
          {check('imid')}
          {check('cmid')}
        </div>
      </fieldset>
      {presetNote && (
        <p className="hint" data-testid="preset-note">
          {presetNote}
        </p>
      )}
      {locked && <p className="hint">The model is built: Reset to change its configuration.</p>}
      {pending && <p className="hint">Edited values apply after Reset.</p>}
      {errors.length > 0 && (
        <ul className="form-errors" data-testid="form-errors">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Train / Pause / Step / Reset, the finished state with "train more", progress and faults. */
function RunControls({ noTrainer }: { noTrainer: boolean }) {
  const trainer = useApp((s) => s.trainer);
  const task = useApp((s) => s.trainTask);
  const faults = useApp((s) => s.faults);
  const url = useApp((s) => s.url);
  const hyper = useApp((s) => s.hyper);
  const facts = useApp(dataFacts);
  const finished = useApp(isFinished);
  const { train, pause, step, reset } = useApp.getState();
  // The form's check decides whether Train can start (the store does not check again).
  const invalid = !trainer.exists && hyperErrors(hyper, url, facts).length > 0;
  const cannotStep = trainer.running || task !== null || invalid || noTrainer || finished;
  return (
    <>
      <div className="button-row">
        <button type="button" className="primary" onClick={() => void train()} disabled={cannotStep}>
          Train
        </button>
        <button type="button" onClick={() => void pause()} disabled={!trainer.running}>
          Pause
        </button>
        <button type="button" onClick={() => void step()} disabled={cannotStep}>
          Step
        </button>
        <button type="button" onClick={() => void reset()} disabled={task !== null || !trainer.exists}>
          Reset
        </button>
      </div>
      {finished && <FinishedRun />}
      {task && <Progress task={task} />}
      {faults.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: faults are only appended
        <p key={`${i}-${f.message}`} className="error-note" role="alert">
          {f.kind === 'non-finite' ? `Non-finite ${f.tensor ?? 'value'}: ` : ''}
          {f.message}
          {f.restoredStep !== undefined ? ` (resumed from step ${f.restoredStep})` : ''}
        </p>
      ))}
    </>
  );
}

/** A run at its configured end: what it did, and how training on continues the schedule. */
function FinishedRun() {
  const trainer = useApp((s) => s.trainer);
  const task = useApp((s) => s.trainTask);
  const [more, setMore] = useState('10');
  const config = trainer.config;
  if (!config) return null;
  const r = resolveConfig(config);
  const extra = Number(more);
  const valid = Number.isInteger(extra) && extra >= 1;
  // The cosine schedule recomputed over the longer run: where the rate restarts from.
  const restart = valid ? cosineLr(r.lr, r.epochs, r.epochs + extra) : Number.NaN;
  return (
    <div className="finished" role="status" aria-label="Run finished" data-testid="run-finished">
      <p>
        <b>Run complete:</b> {r.epochs} epochs, step {trainer.step} of {trainer.totalSteps}, last step
        autosaved.
      </p>
      <p className="button-row">
        <label>
          Train
          <input
            type="number"
            min={1}
            step={1}
            value={more}
            aria-label="More epochs"
            onChange={(e) => setMore(e.target.value)}
          />
          more epochs
        </label>
        <button
          type="button"
          className="primary"
          disabled={!valid || task !== null}
          onClick={() => void useApp.getState().trainMore(extra)}
        >
          Train {valid ? extra : ''} more epochs
        </button>
      </p>
      {valid && (
        <p className="hint">
          The cosine schedule is recomputed over {r.epochs + extra} epochs: the learning rate goes back up to{' '}
          {restart.toExponential(2)} (its value at epoch {r.epochs} of {r.epochs + extra}) and decays to zero
          at the new end.
        </p>
      )}
    </div>
  );
}
