import { useRef, useState } from 'react';
import { formatBytes } from '../../gpu/errors';
import { PRESETS } from '../../train/presets';
import { type Limit, trainLimits } from '../../train/train-config';
import { NotAvailable, Progress } from '../components/Bits';
import { SeedField } from '../components/SeedField';
import { formatClock } from '../format';
import { type HyperForm, hyperErrors, sameConfig } from '../model';
import { currentConfig, dataFacts, useApp } from '../store';
import { DatasetTag } from '../components/DatasetTag';
import { TrainingCurves } from './TrainingCurves';
import { ProgressCard } from './TrainingProgress';

/** A limit from the training config's check, as a tooltip: "2 to 26 (the objects in the training split)". */
function limitText(l: Limit): string {
  return Number.isFinite(l.max) ? `${l.min} to ${l.max} (${l.why})` : `at least ${l.min}`;
}

export function TrainingPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const trainer = useApp((s) => s.trainer);
  const task = useApp((s) => s.trainTask);
  const faults = useApp((s) => s.faults);
  const url = useApp((s) => s.url);
  const hyper = useApp((s) => s.hyper);
  // The sample set's sizes, when the one on screen is the one Train would use.
  const facts = useApp(dataFacts);
  const presetNote = useApp((s) => s.presetNote);

  const { setUrl, setHyper, train, pause, step, reset } = useApp.getState();
  const config = currentConfig({ url, hyper });
  const errors = hyperErrors(hyper, url, facts);
  const limits = trainLimits(config, facts);
  const preset = PRESETS[url.preset];
  const locked = trainer.exists; // the config of a built trainer changes only through Reset
  const pending = trainer.exists && trainer.config && !sameConfig(trainer.config, config);
  const noTrainer = caps !== null && !caps.trainer;
  const busy = task !== null;

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
              <label className="check">
                <input
                  type="checkbox"
                  checked={hyper.imid}
                  onChange={(e) => setHyper({ imid: e.target.checked })}
                />
                <span>
                  L<sub>imid</sub>
                </span>
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  checked={hyper.cmid}
                  onChange={(e) => setHyper({ cmid: e.target.checked })}
                />
                <span>
                  L<sub>cmid</sub>
                </span>
              </label>
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
            <ul className="form-errors">
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
          <div className="button-row">
            <button
              type="button"
              className="primary"
              onClick={() => void train()}
              disabled={trainer.running || busy || errors.length > 0 || noTrainer}
            >
              Train
            </button>
            <button type="button" onClick={() => void pause()} disabled={!trainer.running}>
              Pause
            </button>
            <button
              type="button"
              onClick={() => void step()}
              disabled={trainer.running || busy || errors.length > 0 || noTrainer}
            >
              Step
            </button>
            <button type="button" onClick={() => void reset()} disabled={busy || !trainer.exists}>
              Reset
            </button>
          </div>
          {task && <Progress task={task} />}
          {faults.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: faults are only appended
            <p key={`${i}-${f.message}`} className="error-note" role="alert">
              {f.kind === 'non-finite' ? `Non-finite ${f.tensor ?? 'value'}: ` : ''}
              {f.message}
              {f.restoredStep !== undefined ? ` (resumed from step ${f.restoredStep})` : ''}
            </p>
          ))}
        </div>
        <ProgressCard />
        <TrainingCurves />
        <CheckpointCard disabled={noTrainer} />
      </div>
    </section>
  );
}

/** The `__metadata__` of a safetensors file (trainer checkpoints record k, emb_dims and points there). */
function CheckpointCard({ disabled }: { disabled: boolean }) {
  const trainer = useApp((s) => s.trainer);
  const task = useApp((s) => s.trainTask);
  const message = useApp((s) => s.checkpointMessage);
  const url = useApp((s) => s.url);
  const { saveCheckpoint, loadCheckpoint, restoreAutosave, exportOnnx: buildOnnx } = useApp.getState();
  const fileRef = useRef<HTMLInputElement>(null);
  const [onnxMessage, setOnnxMessage] = useState<string | null>(null);
  const busy = task !== null;
  const canSave = trainer.exists && !trainer.running && !busy;

  const download = async () => {
    const bytes = await saveCheckpoint(true);
    if (!bytes) return;
    const blob = new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `crosspoint-${url.preset}-seed${url.seed}-step${trainer.step}.safetensors`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  // The point encoder as ONNX (eval mode, [max ; mean] features), built in the engine worker from
  // the model's weights: one cloud of the preset's point count per run.
  const exportOnnx = async () => {
    const r = await buildOnnx();
    if (r.kind !== 'done') {
      setOnnxMessage(`Could not export ONNX: ${'message' in r ? r.message : ''}`);
      return;
    }
    const { bytes, points, step } = r.value;
    const blob = new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `crosspoint-dgcnn-${url.preset}-seed${url.seed}-step${step}.onnx`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    setOnnxMessage(
      `Exported the DGCNN encoder as ONNX (opset 17, 1 × ${points} points, ${(bytes.length / 2 ** 20).toFixed(1)} MiB).`,
    );
  };

  return (
    <div className="card">
      <h3>Checkpoints</h3>
      <p className="muted-sm">
        Autosaved in this browser every few steps and on pause (safetensors with the reference’s tensor
        names).
      </p>
      <div className="button-row">
        <button type="button" disabled={!canSave || disabled} onClick={() => void saveCheckpoint(false)}>
          Save checkpoint
        </button>
        <button type="button" disabled={!canSave || disabled} onClick={() => void download()}>
          Download checkpoint
        </button>
        <button type="button" disabled={!canSave || disabled} onClick={() => void exportOnnx()}>
          Export ONNX
        </button>
        <label className={`file-button ${trainer.running || busy || disabled ? 'disabled' : ''}`}>
          Load checkpoint…
          <input
            ref={fileRef}
            type="file"
            aria-label="Checkpoint file"
            accept=".safetensors,.ckpt,.bin"
            disabled={trainer.running || busy || disabled}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void loadCheckpoint(f);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {trainer.autosave ? (
        <p className="autosave" data-testid="autosave-line" data-step={trainer.autosave.step}>
          Autosaved at step {trainer.autosave.step}, {formatClock(trainer.autosave.savedAt)} (
          {formatBytes(trainer.autosave.bytes)}).{' '}
          <button
            type="button"
            disabled={trainer.running || busy || disabled}
            onClick={() => void restoreAutosave()}
          >
            Restore autosave
          </button>
        </p>
      ) : (
        <p className="muted-sm">No autosave yet for this preset and seed.</p>
      )}
      {message && (
        <p className="ok-note" aria-live="polite">
          {message}
        </p>
      )}
      {onnxMessage && (
        <p className="ok-note" aria-live="polite" data-testid="onnx-message">
          {onnxMessage}
        </p>
      )}
    </div>
  );
}
