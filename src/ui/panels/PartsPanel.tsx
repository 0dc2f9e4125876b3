/**
 * Parts: part segmentation (DGCNN_partseg) fine-tuned on the generated sample set's part labels,
 * from the classification model's weights and from random init side by side; then a dropped
 * shape coloured by predicted part.
 */
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { SHAPENETPART_CATEGORIES } from '../../data/loaders/class-names';
import { categoryParts, PART_NAMES } from '../../data/shapenetpart-parts';
import { PARTS_PAGE_SIZE_NAMES, type PartsPageConfig } from '../../train/partseg-page';
import type { PartsArm, PartsEpoch, PartsPrediction } from '../../worker/protocol';
import { Progress } from '../components/Bits';
import { CurveChart } from '../components/CurveChart';
import { PartCloudView } from '../components/PartCloudView';
import { useApp } from '../store';

const ARM_LABEL: Record<PartsArm, string> = { pretrained: 'from pretrained', random: 'from random init' };
const ARM_COLOR: Record<PartsArm, string> = { pretrained: '#2563eb', random: '#d97706' };
/** The two fine-tuning runs, in the order the panel lists them. */
const ARMS: PartsArm[] = ['pretrained', 'random'];
/** One colour per part of a category (at most 6). */
const PART_COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4'];
const FIELDS: [keyof PartsPageConfig, string][] = [
  ['points', 'Points'],
  ['k', 'k'],
  ['batch', 'Batch'],
  ['perClass', 'Objects per class'],
  ['epochs', 'Epochs'],
  ['seed', 'Seed'],
  ['bnMomentum', 'BN momentum'],
];

export function PartsPanel() {
  const alert = useApp((s) => s.partsAlert);
  const dismiss = useApp((s) => s.dismissPartsAlert);
  const predictParts = useApp((s) => s.predictParts);
  const [dragging, setDragging] = useState(false);
  return (
    <section
      aria-label="Parts"
      className={`panel drop-target ${dragging ? 'dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const f = e.dataTransfer.files[0];
        if (f) void predictParts(f);
      }}
    >
      <header className="panel-head">
        <h2>Parts</h2>
        <p className="panel-sub">
          Part segmentation (the paper's third task): DGCNN_partseg fine-tuned on the generated sample set's
          part labels (airplane, car, chair, lamp, table), from the pretrained encoder and from random init
          side by side; test-split instance mIoU as calculate_shape_IoU counts it. Then drop a shape to see
          its predicted parts.
        </p>
      </header>
      {alert && (
        <div role="alert" className="error-note file-alert" data-testid="parts-alert">
          {alert}{' '}
          <button type="button" onClick={dismiss}>
            Dismiss
          </button>
        </div>
      )}
      <FineTune />
      <ShapeSection />
    </section>
  );
}

function FineTune() {
  const form = useApp((s) => s.partsForm);
  const size = useApp((s) => s.partsSize);
  const state = useApp((s) => s.partsState);
  const epochs = useApp((s) => s.partsEpochs);
  const engineReady = useApp((s) => s.engine.kind === 'ready');
  const { choosePartsSize, setPartsForm, startParts, playParts, pauseParts, partsSizeForAdapter, syncParts } =
    useApp.getState();
  const [starting, setStarting] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the adapter is known
  useEffect(() => {
    if (engineReady && !state) {
      partsSizeForAdapter();
      // After a reload: are there autosaved runs to bring back?
      void syncParts();
    }
  }, [engineReady]);
  return (
    <div className="card">
      <h3>Fine-tune</h3>
      <div className="controls">
        <label>
          Size{' '}
          <select
            aria-label="Parts size"
            value={size}
            onChange={(e) => choosePartsSize(e.target.value as typeof size)}
          >
            {PARTS_PAGE_SIZE_NAMES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
            <option value="custom" disabled>
              custom
            </option>
          </select>
        </label>
        {FIELDS.map(([key, label]) => (
          <label key={key}>
            {label}{' '}
            <input
              type="number"
              aria-label={`Parts ${label}`}
              value={form[key] as number}
              style={{ width: '5em' }}
              onChange={(e) => setPartsForm({ [key]: Number(e.target.value) })}
            />
          </label>
        ))}
      </div>
      <p className="muted-sm">
        {form.model} widths · first-look is sized for a CPU adapter (mIoU rises within minutes on SwiftShader:
        128 points, batch 8, and BatchNorm momentum 0.5 instead of PyTorch's 0.1, so the running statistics
        the test split is scored with follow the last few batches rather than keeping 0.9<sup>steps</sup> of
        their initial 0 / 1); reference is train_partseg.py's 2048 points, k 40, momentum 0.1.
      </p>
      <div className="controls">
        <button
          type="button"
          disabled={!engineReady || starting}
          onClick={async () => {
            setStarting(true);
            await startParts();
            setStarting(false);
          }}
        >
          {starting ? 'Preparing…' : state?.exists ? 'Restart fine-tuning' : 'Fine-tune'}
        </button>
        {state?.exists &&
          (state.running ? (
            <button type="button" onClick={() => void pauseParts()}>
              Pause
            </button>
          ) : (
            <button type="button" onClick={() => void playParts()}>
              Play
            </button>
          ))}
        {state?.exists && (
          <span className="muted-sm" data-testid="parts-status">
            {state.running ? 'running' : 'paused'} · epoch {state.epochs.pretrained}/{state.config?.epochs}{' '}
            (pretrained), {state.epochs.random}/{state.config?.epochs} (random) · {state.trainShapes} train /{' '}
            {state.testShapes} test shapes
            {state.baselineMiou !== null && (
              <>
                {' '}
                · one part everywhere scores{' '}
                <span data-testid="parts-baseline">{state.baselineMiou.toFixed(3)}</span>
              </>
            )}
          </span>
        )}
      </div>
      {state?.exists && (
        <p className="muted-sm" data-testid="parts-transfer">
          {state.encoderStep === null
            ? 'No pretrained model yet (train in the Training panel first): both runs start from random init, so they differ only by name.'
            : state.transferred.length
              ? `"From pretrained" takes ${state.transferred.length} tensors from the classification DGCNN at step ${state.encoderStep}: ${state.transferred.join(', ')} (the first EdgeConv, the only layer the two encoders share); everything else, the transform net and the other EdgeConvs included, is random init as in the other run.`
              : `The classification DGCNN (step ${state.encoderStep}) has other layer widths than this size's first EdgeConv: nothing was transferred, both runs start from random init.`}
        </p>
      )}
      {state?.error && (
        <p role="alert" className="error-note">
          Fine-tuning stopped: {state.error}
        </p>
      )}
      <PartsCheckpoints />
      {epochs.length > 0 && <Curves epochs={epochs} baseline={state?.baselineMiou ?? null} />}
    </div>
  );
}

/** A file download of `bytes` named `name`. */
function saveFile(bytes: Uint8Array, name: string) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/**
 * The runs' checkpoints: the autosave (each run after each of its epochs, in this browser) and
 * its restore after a reload; download a run, or load a `crosspoint partseg --out` file into one.
 */
function PartsCheckpoints() {
  const state = useApp((s) => s.partsState);
  const message = useApp((s) => s.partsMessage);
  const { restoreParts, discardPartsAutosave, downloadPartsCheckpoint, loadPartsCheckpoint } =
    useApp.getState();
  const [loadArm, setLoadArm] = useState<PartsArm>('pretrained');
  const [busy, setBusy] = useState(false);
  const a = state?.autosave;
  const act = async (f: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await f();
    } finally {
      setBusy(false);
    }
  };
  const download = (arm: PartsArm) =>
    act(async () => {
      const r = await downloadPartsCheckpoint(arm);
      if (r)
        saveFile(
          r.bytes,
          `crosspoint-partseg-${arm}-seed${state?.config?.seed ?? 1}-epoch${r.epoch}.safetensors`,
        );
    });
  return (
    <div data-testid="parts-checkpoints">
      {a && !state?.exists && (
        <p className="controls" data-testid="parts-autosave">
          <span>
            Autosaved runs in this browser: epoch {a.epochs.pretrained} (from pretrained), {a.epochs.random}{' '}
            (from random init) of {a.config.epochs}, {a.config.model} widths, {a.config.points} points, saved{' '}
            {new Date(a.savedAt).toLocaleTimeString()}.
          </span>
          <button type="button" disabled={busy} onClick={() => void act(restoreParts)}>
            Restore
          </button>
          <button type="button" disabled={busy} onClick={() => void act(discardPartsAutosave)}>
            Delete
          </button>
        </p>
      )}
      {state?.exists && (
        <div className="controls">
          <span className="muted-sm">
            {a
              ? `Autosaved after each epoch (last ${new Date(a.savedAt).toLocaleTimeString()}).`
              : 'Not autosaved yet.'}
          </span>
          {ARMS.map((arm) => (
            <button
              key={arm}
              type="button"
              disabled={busy || state.running}
              onClick={() => void download(arm)}
            >
              Download {ARM_LABEL[arm]}
            </button>
          ))}
        </div>
      )}
      <div className="controls">
        <ArmSelect label="Parts checkpoint run" value={loadArm} onChange={setLoadArm}>
          Load a <code>crosspoint partseg</code> checkpoint as the run{' '}
        </ArmSelect>
        <input
          type="file"
          aria-label="Parts checkpoint file"
          accept=".safetensors"
          disabled={busy || !!state?.running}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void act(() => loadPartsCheckpoint(loadArm, f));
            e.target.value = '';
          }}
        />
      </div>
      {state?.autosaveError && <p className="error-note">{state.autosaveError}</p>}
      {message && (
        <p className="muted-sm" data-testid="parts-message">
          {message}
        </p>
      )}
    </div>
  );
}

function Curves({ epochs, baseline }: { epochs: PartsEpoch[]; baseline: number | null }) {
  const n = Math.max(...epochs.map((e) => e.epoch));
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const series = (arm: PartsArm, f: (e: PartsEpoch) => number) => {
    const y = x.map(() => Number.NaN);
    for (const e of epochs) if (e.arm === arm) y[e.epoch - 1] = f(e);
    return y;
  };
  const last = (arm: PartsArm) => epochs.filter((e) => e.arm === arm).at(-1);
  return (
    <>
      <table className="parts-table" aria-label="Parts runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>Epoch</th>
            <th>Test instance mIoU</th>
            <th>Class mIoU</th>
            <th>Point accuracy</th>
            <th>Train loss</th>
            <th>s / epoch (train + test)</th>
          </tr>
        </thead>
        <tbody>
          {ARMS.map((arm) => {
            const e = last(arm);
            return (
              <tr key={arm}>
                <td>{ARM_LABEL[arm]}</td>
                <td data-testid={`parts-epoch-${arm}`}>{e?.epoch ?? '–'}</td>
                <td data-testid={`parts-miou-${arm}`}>{e ? e.instanceMiou.toFixed(3) : '–'}</td>
                <td>{e ? e.classMiou.toFixed(3) : '–'}</td>
                <td>{e ? e.accuracy.toFixed(3) : '–'}</td>
                <td>{e ? e.trainLoss.toFixed(3) : '–'}</td>
                <td>{e ? `${e.trainSeconds.toFixed(1)} + ${e.testSeconds.toFixed(1)}` : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <CurveChart
        title="Test instance mIoU"
        x={x}
        yLabel="instance mIoU"
        testId="parts-miou-chart"
        curves={[
          ...ARMS.map((a) => ({
            name: ARM_LABEL[a],
            color: ARM_COLOR[a],
            y: series(a, (e) => e.instanceMiou),
          })),
          // What predicting each category's most common part everywhere scores on the test split.
          ...(baseline === null
            ? []
            : [{ name: 'one part everywhere', color: '#6b7280', dash: true, y: x.map(() => baseline) }]),
        ]}
      />
      <CurveChart
        title="Loss (smoothed cross-entropy)"
        x={x}
        yLabel="loss"
        curves={ARMS.flatMap((a) => [
          { name: `train ${ARM_LABEL[a]}`, color: ARM_COLOR[a], y: series(a, (e) => e.trainLoss) },
          { name: `test ${ARM_LABEL[a]}`, color: ARM_COLOR[a], dash: true, y: series(a, (e) => e.testLoss) },
        ])}
      />
    </>
  );
}

type View = 'prediction' | 'truth' | 'errors';

function ShapeSection() {
  const category = useApp((s) => s.partsCategory);
  const arm = useApp((s) => s.partsArm);
  const outcome = useApp((s) => s.partsPrediction);
  const exists = useApp((s) => !!s.partsState?.exists);
  const { setPartsCategory, setPartsArm, predictParts } = useApp.getState();
  return (
    <div className="card">
      <h3>Bring a shape</h3>
      <div className="controls">
        <label>
          Category{' '}
          <select
            aria-label="Shape category"
            value={category}
            onChange={(e) => setPartsCategory(Number(e.target.value))}
          >
            {SHAPENETPART_CATEGORIES.map((c, i) => (
              <option key={c.name} value={i}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <ArmSelect label="Parts model" value={arm} onChange={setPartsArm}>
          Model{' '}
        </ArmSelect>
        <label>
          Shape file{' '}
          <input
            type="file"
            aria-label="Parts shape file"
            accept=".txt,.ply,.off,.obj,.pts,.xyz"
            disabled={!exists}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void predictParts(f);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      <p className="muted-sm">
        A .txt of <code>x y z [nx ny nz] part</code> lines (ShapeNetPart's global part ids, with or without
        the part column) or a .ply; {exists ? 'drop it anywhere on this panel.' : 'fine-tune first.'}
      </p>
      {outcome.kind === 'busy' && <Progress task={outcome.task} />}
      {outcome.kind === 'done' && <ShapeView p={outcome.value} />}
    </div>
  );
}

function ShapeView({ p }: { p: PartsPrediction }) {
  const [view, setView] = useState<View>('prediction');
  const [hovered, setHovered] = useState<number | null>(null);
  const { first, count } = categoryParts(p.category);
  const names = PART_NAMES[p.category]!;
  const shown: View = p.truth ? view : 'prediction';
  const colors = useMemo(() => {
    const n = p.pred.length;
    const out = new Float32Array(n * 3);
    const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
    const palette = PART_COLORS.map(rgb);
    for (let i = 0; i < n; i++) {
      let c: number[];
      if (shown === 'errors') c = p.pred[i] === p.truth![i] ? [0.78, 0.8, 0.84] : [0.85, 0.1, 0.1];
      else c = palette[((shown === 'truth' ? p.truth![i]! : p.pred[i]!) - first) % palette.length]!;
      out.set(c, i * 3);
    }
    return out;
  }, [p, shown, first]);
  const errors = p.truth ? p.pred.reduce((s, v, i) => s + (v === p.truth![i] ? 0 : 1), 0) : 0;
  const cat = SHAPENETPART_CATEGORIES[p.category]!.name;
  const part = (g: number) => names[g - first] ?? `part ${g}`;
  return (
    <div className="classify-grid" data-testid="parts-shape">
      <div>
        <PartCloudView
          points={p.points}
          colors={colors}
          label={`${p.file} coloured by ${shown}`}
          onHover={setHovered}
        />
        <p className="muted-sm" data-testid="parts-hover">
          {hovered === null
            ? 'Hover a point to read its part.'
            : `Point ${hovered}: ${part(p.pred[hovered]!)} (p = ${p.prob[hovered]!.toFixed(2)})${
                p.truth ? `, labelled ${part(p.truth[hovered]!)}` : ''
              }`}
        </p>
      </div>
      <div>
        <p>
          <strong>{p.file}</strong> as {cat}, run {ARM_LABEL[p.arm]} after {p.epoch} epochs
          {p.shapeIou !== null && (
            <>
              {' '}
              · shape mIoU <span data-testid="parts-shape-miou">{p.shapeIou.toFixed(3)}</span>
            </>
          )}
        </p>
        {p.truth ? (
          <fieldset className="controls">
            <legend>Colour by</legend>
            {(['prediction', 'truth', 'errors'] as View[]).map((v) => (
              <label key={v}>
                <input type="radio" name="parts-view" checked={view === v} onChange={() => setView(v)} />{' '}
                {v === 'truth'
                  ? 'ground truth'
                  : v === 'errors'
                    ? `errors (${errors} of ${p.pred.length})`
                    : v}
              </label>
            ))}
          </fieldset>
        ) : (
          <p className="muted-sm" data-testid="parts-no-labels">
            Prediction only: the file has no part labels.
          </p>
        )}
        {shown !== 'errors' && (
          <ul className="parts-legend" aria-label="Part legend">
            {Array.from({ length: count }, (_, j) => (
              <li key={names[j]}>
                <span className="swatch" style={{ background: PART_COLORS[j % PART_COLORS.length] }} />{' '}
                {names[j]}
              </li>
            ))}
          </ul>
        )}
        {p.perPart && (
          <table className="parts-table" aria-label="Per-part IoU">
            <thead>
              <tr>
                <th>Part</th>
                <th>IoU</th>
                <th>Predicted points</th>
                <th>Labelled points</th>
              </tr>
            </thead>
            <tbody>
              {p.perPart.map((r) => (
                <tr key={r.part}>
                  <td>{part(r.part)}</td>
                  <td>{r.iou.toFixed(3)}</td>
                  <td>{r.predicted}</td>
                  <td>{r.labelled}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ul className="notes">
          {p.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** A labelled choice of one of the two runs (the checkpoint to load, the model that segments a shape). */
function ArmSelect({
  label,
  value,
  onChange,
  children,
}: {
  label: string;
  value: PartsArm;
  onChange: (arm: PartsArm) => void;
  children: ReactNode;
}) {
  return (
    <label>
      {children}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as PartsArm)}>
        {ARMS.map((arm) => (
          <option key={arm} value={arm}>
            {ARM_LABEL[arm]}
          </option>
        ))}
      </select>
    </label>
  );
}
