import { useState } from 'react';
import { NotAvailable, OutcomeNote, RgbaImage } from '../components/Bits';
import { PointCloudView } from '../components/PointCloudView';
import { useApp } from '../store';

export function ClassifyPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const res = useApp((s) => s.classify);
  const fileError = useApp((s) => s.fileError);
  const upAxis = useApp((s) => s.upAxis);
  const trainer = useApp((s) => s.trainer);
  const dataset = useApp((s) => s.dataset);
  const { setUpAxis, classifyFile } = useApp.getState();
  const [dragging, setDragging] = useState(false);
  const info = dataset.kind === 'done' ? dataset.value : null;

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
      </header>
      {caps && !caps.files ? (
        <NotAvailable what="Reading files" message="The file readers are not in this build yet." />
      ) : (
        <>
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
              <div className="card">
                <h3 data-testid="classify-file">{res.value.file}</h3>
                <PointCloudView
                  points={res.value.points}
                  size={300}
                  label={`3-D view of ${res.value.file}`}
                />
                <ul className="notes">
                  <li>read as {res.value.format}</li>
                  {res.value.notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                  {res.value.warnings.map((w) => (
                    <li key={w} className="warn">
                      {w}
                    </li>
                  ))}
                </ul>
              </div>
              <div className="card">
                <h3>Prediction</h3>
                {!res.value.prediction ? (
                  caps && !caps.trainer ? (
                    <NotAvailable
                      what="Prediction"
                      message="It needs the trained encoder, which is not in this build yet."
                    />
                  ) : (
                    <p className="empty">
                      {trainer.exists
                        ? 'No prediction for this file.'
                        : 'Train the model (Training panel), then classify again to see the predicted class.'}
                    </p>
                  )
                ) : (
                  <>
                    {res.value.prediction.familiarity.far ? (
                      <div className="warn" data-testid="far-from-classes">
                        <p className="big-number">Far from every class</p>
                        <p>
                          This shape is unlike every class of the sample set, so no label is given with
                          confidence: {res.value.prediction.familiarity.reasons.join('; and ')}. The SVM’s
                          least-bad guess is{' '}
                          <b data-testid="predicted-class">{res.value.prediction.top[0]?.className}</b>.
                        </p>
                      </div>
                    ) : (
                      <p className="big-number" data-testid="predicted-class">
                        {res.value.prediction.top[0]?.className}
                      </p>
                    )}
                    <p className="muted-sm">
                      Linear SVM on the sample set’s train features, step {res.value.prediction.step}.
                      {!res.value.prediction.familiarity.far &&
                        res.value.prediction.familiarity.reasons.length > 0 &&
                        ` Note: ${res.value.prediction.familiarity.reasons[0]}.`}
                    </p>
                    <ol className="top5" aria-label="Top-5 classes">
                      {res.value.prediction.top.map((t) => {
                        const lo = Math.min(...res.value.prediction!.top.map((x) => x.score));
                        const hi = Math.max(...res.value.prediction!.top.map((x) => x.score));
                        const w = hi > lo ? (t.score - lo) / (hi - lo) : 1;
                        return (
                          <li key={t.label}>
                            <span className="top5-name">{t.className}</span>
                            <span
                              className="top5-bar"
                              style={{ width: `${8 + 120 * w}px` }}
                              aria-hidden="true"
                            />
                            <span className="top5-score">{t.score.toFixed(3)}</span>
                          </li>
                        );
                      })}
                    </ol>
                    <h4>Nearest shapes of the sample set</h4>
                    <ul className="nearest" data-testid="nearest">
                      {res.value.prediction.nearest.map((n) => (
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
                )}
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}
