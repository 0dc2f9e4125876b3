import { useRef, useState } from 'react';
import { formatBytes } from '../../gpu/errors';
import { formatClock } from '../format';
import { useApp } from '../store';

/** Save, download and load checkpoints, export ONNX, and the autosave line (restore, discard). */
export function CheckpointCard({ disabled }: { disabled: boolean }) {
  const trainer = useApp((s) => s.trainer);
  const task = useApp((s) => s.trainTask);
  const message = useApp((s) => s.checkpointMessage);
  const url = useApp((s) => s.url);
  const {
    saveCheckpoint,
    loadCheckpoint,
    restoreAutosave,
    discardAutosave,
    exportOnnx: buildOnnx,
  } = useApp.getState();
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
        Autosaved in this browser every few steps, on pause and at the end of the run (safetensors with the
        reference’s tensor names and the run’s settings: loading one brings its settings back). The autosave
        stays until a new run replaces it (you are asked first) or you discard it.
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
          </button>{' '}
          <button type="button" disabled={busy || disabled} onClick={() => void discardAutosave()}>
            Discard autosave
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
