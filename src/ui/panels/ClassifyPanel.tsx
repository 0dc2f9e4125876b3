import { useState } from 'react';
import type { Prediction } from '../../eval/set-classifier';
import type { ClassifyReply } from '../../worker/protocol';
import { NotAvailable, OutcomeNote, RgbaImage } from '../components/Bits';
import { PointCloudView } from '../components/PointCloudView';
import { useApp } from '../store';
import { DatasetTag } from '../components/DatasetTag';

/** The Classify panel: a drop zone, the file as read, and the prediction with its OOD verdict. */
export function ClassifyPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const res = useApp((s) => s.classify);
  const fileError = useApp((s) => s.fileError);
  const { classifyFile } = useApp.getState();
  const [dragging, setDragging] = useState(false);

  const take = (files: FileList | null | undefined) => {
    const f = files?.[0];
    if (f) void classifyFile(f);
  };

  return (
    <section
      aria-label="Classify"
      className={`panel drop-target ${dragging ? 'dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        take(e.dataTransfer.files);
      }}
    >
      <header className="panel-head">
        <h2>Classify</h2>
        <p className="panel-sub">
          Bring a shape: a .ply, .off or .obj file (mesh or point cloud). It is sampled, centred and scaled to
          the unit sphere like the training clouds, and classified with the current encoder’s features against
          the sample set.
        </p>
        <DatasetTag />
      </header>
      {caps && !caps.files ? (
        <NotAvailable what="Reading files" message="The file readers are not in this build yet." />
      ) : (
        <>
          <DropZone take={take} />
          <ReferencePicker />
          {fileError && (
            <div role="alert" className="error-note file-alert">
              <b>This file could not be read.</b> {fileError}{' '}
              <span className="muted-sm alert-after">
                Nothing else changed: training and the previous result are as they were.
              </span>
            </div>
          )}
          <OutcomeNote outcome={res} what="Classification" />
          {res.kind === 'done' && (
            <div className="classify-grid">
              <FileCard reply={res.value} />
              <div className="card">
                <h3>Prediction</h3>
                {res.value.prediction ? (
                  <PredictionView prediction={res.value.prediction} />
                ) : (
                  <NoPrediction trainerInBuild={!caps || caps.trainer} />
                )}
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** The file chooser and the up-axis choice (a drop anywhere on the panel works too). */
function DropZone({ take }: { take: (files: FileList | null | undefined) => void }) {
  const upAxis = useApp((s) => s.upAxis);
  const { setUpAxis } = useApp.getState();
  return (
    <div className="dropzone">
      <p>
        <b>Drop a file anywhere on this panel</b>, or choose one:
      </p>
      <div className="controls">
        <label>
          Point cloud file
          <input
            type="file"
            accept=".ply,.off,.obj,.txt,.xyz,.pts,.h5,.hdf5"
            onChange={(e) => {
              take(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
        <label>
          Up axis of the file
          <select value={upAxis} onChange={(e) => setUpAxis(e.target.value as 'y' | 'z')}>
            <option value="y">y up (ShapeNet, ModelNet resampled)</option>
            <option value="z">z up (raw ModelNet, scanners)</option>
          </select>
        </label>
      </div>
    </div>
  );
}

/**
 * What the out-of-distribution threshold is calibrated on: the training set, or shapes of the
 * evaluation set loaded in the Data panel (a split, some classes), as the CLI's `--reference`.
 */
function ReferencePicker() {
  const form = useApp((s) => s.oodReference);
  const evalSet = useApp((s) => s.evalSet);
  const { setOodReference } = useApp.getState();
  const set = evalSet.kind === 'done' ? evalSet.value : null;
  const onEval = form.source === 'eval-set' && set !== null;
  const count = (c: number) =>
    form.split === 'train'
      ? set!.trainCounts[c]!
      : form.split === 'test'
        ? set!.testCounts[c]!
        : set!.trainCounts[c]! + set!.testCounts[c]!;
  return (
    <div className="controls" data-testid="ood-reference-picker">
      <label>
        Out-of-distribution reference
        <select
          value={onEval ? form.split : 'set'}
          onChange={(e) => {
            const v = e.target.value;
            if (v === 'set') setOodReference({ source: 'set' });
            else setOodReference({ source: 'eval-set', split: v as 'train' | 'test' | 'all' });
          }}
        >
          <option value="set">the training set</option>
          <option value="train" disabled={!set}>
            evaluation set{set ? ` ${set.name}` : ''}: train split
          </option>
          <option value="test" disabled={!set}>
            evaluation set{set ? ` ${set.name}` : ''}: test split
          </option>
          <option value="all" disabled={!set}>
            evaluation set{set ? ` ${set.name}` : ''}: both splits
          </option>
        </select>
      </label>
      {onEval && (
        <label>
          Reference classes (none chosen: all)
          <select
            multiple
            size={6}
            value={form.classes}
            onChange={(e) =>
              setOodReference({ classes: Array.from(e.target.selectedOptions, (o) => o.value) })
            }
          >
            {set.classes.map((c, i) =>
              count(i) > 0 ? (
                <option key={c} value={c}>
                  {c} ({count(i)})
                </option>
              ) : null,
            )}
          </select>
        </label>
      )}
      <p className="muted-sm">
        {set
          ? 'Real shapes of the classes you expect make the out-of-distribution verdict meaningful on real files; the choice applies to the next file you classify.'
          : 'To calibrate the out-of-distribution verdict on real shapes, load .h5 files as the evaluation set in the Data panel.'}
      </p>
    </div>
  );
}

/** The file as the encoder saw it, and what was done to it. */
function FileCard({ reply }: { reply: ClassifyReply }) {
  return (
    <div className="card">
      <h3 data-testid="classify-file">{reply.file}</h3>
      <PointCloudView points={reply.points} size={300} label={`3-D view of ${reply.file}`} />
      <ul className="notes">
        <li>read as {reply.format}</li>
        {reply.notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
        {reply.warnings.map((w) => (
          <li key={w} className="warn">
            {w}
          </li>
        ))}
      </ul>
    </div>
  );
}

function NoPrediction({ trainerInBuild }: { trainerInBuild: boolean }) {
  const trainer = useApp((s) => s.trainer);
  if (!trainerInBuild)
    return (
      <NotAvailable
        what="Prediction"
        message="It needs the trained encoder, which is not in this build yet."
      />
    );
  return (
    <p className="empty">
      {trainer.exists
        ? 'No prediction for this file.'
        : 'Train the model (Training panel), then classify again to see the predicted class.'}
    </p>
  );
}

/** Label (or the out-of-distribution warning), the verdict's figures, top-5 scores, nearest shapes. */
function PredictionView({ prediction: p }: { prediction: Prediction & { step: number } }) {
  return (
    <>
      <OodHeadline p={p} />
      <OodFigures p={p} />
      <TopClasses p={p} />
      <NearestShapes p={p} />
    </>
  );
}

function OodHeadline({ p }: { p: Prediction }) {
  const label = <b data-testid="predicted-class">{p.top[0]?.className}</b>;
  if (!p.ood.outOfDistribution)
    return (
      <p className="big-number" data-testid="predicted-class">
        {p.top[0]?.className}
      </p>
    );
  const r = p.ood.reference;
  return (
    <div className="warn" data-testid="far-from-classes">
      <p className="big-number">Unlike every class</p>
      <p>
        This shape lies farther from every class of {r.isSet ? 'the set' : 'the reference shapes'} than all
        but {Math.round(p.ood.falseAlarm * 100)} % of {r.isSet ? 'the set’s own' : 'those'} shapes do, so no
        label is given with confidence. The classifier’s least-bad guess is {label}.
      </p>
    </div>
  );
}

/** The out-of-distribution verdict in figures: what they are and what they were calibrated on. */
function OodFigures({ p }: { p: Prediction & { step: number } }) {
  const o = p.ood;
  const r = o.reference;
  return (
    <p className="muted-sm" data-testid="ood-verdict">
      <b>{o.outOfDistribution ? 'Out of distribution' : 'In distribution'}</b>: distance{' '}
      {o.distance.toFixed(2)} to the nearest class ({o.nearestClass}), threshold {o.threshold.toFixed(2)}. The
      distance is the {o.meaning}. The threshold, for a {Math.round(o.falseAlarm * 100)} % false-alarm rate,
      is {o.thresholdMeaning}. p = {o.pValue.toFixed(2)}: the share of such shapes expected at least this far.
      Calibrated on: <span data-testid="ood-reference">{r.name}</span> ({r.shapes} shapes, {r.classes}{' '}
      classes).{' '}
      {o.caveat && (
        <span className="warn-text" data-testid="ood-caveat">
          Caution, {o.caveat}.{' '}
        </span>
      )}
      Step {p.step}.
    </p>
  );
}

/** Top-5 SVM scores as bars from zero to the highest possible score. */
function TopClasses({ p }: { p: Prediction }) {
  return (
    <>
      <h4>Top-5 classes</h4>
      <p className="muted-sm" data-testid="score-meaning">
        Linear SVM on the sample set’s train features. Score = {p.scoreMeaning}; the bars run from 0 to{' '}
        {p.maxScore}.
      </p>
      <ol className="top5" aria-label="Top-5 classes">
        {p.top.map((t) => {
          const w = Math.max(0, Math.min(1, t.score / Math.max(p.maxScore, 1)));
          return (
            <li key={t.label}>
              <span className="top5-name">{t.className}</span>
              <span className="top5-track" aria-hidden="true">
                <span className="top5-bar" style={{ width: `${100 * w}%` }} />
              </span>
              <span className="top5-score">{t.score.toFixed(2)}</span>
            </li>
          );
        })}
      </ol>
    </>
  );
}

function NearestShapes({ p }: { p: Prediction }) {
  const dataset = useApp((s) => s.dataset);
  const info = dataset.kind === 'done' ? dataset.value : null;
  return (
    <>
      <h4>Nearest shapes of the sample set</h4>
      <p className="muted-sm">By cosine similarity of the standardised features (1 = same direction).</p>
      <ul className="nearest" data-testid="nearest">
        {p.nearest.map((n) => (
          <li key={n.id}>
            {info?.thumbs[n.index] && (
              <RgbaImage thumb={info.thumbs[n.index]!} display={48} label={`view of ${n.id}`} />
            )}
            <span>
              <b>{n.className}</b>
              <br />
              <span className="muted-sm">
                {n.id} · cos {n.similarity.toFixed(3)}
              </span>
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
