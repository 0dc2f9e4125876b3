import { PointCloudView } from '../components/PointCloudView';
import { SeedField } from '../components/SeedField';
import { NotAvailable, OutcomeNote, RgbaImage } from '../components/Bits';
import { classColor } from '../components/colors';
import { classRows } from '../model';
import { openPanel, sampleParams, useApp } from '../store';
import { FolderSection, LoadReport } from './FolderSection';

export function DataPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const dataset = useApp((s) => s.dataset);
  const form = useApp((s) => s.sampleForm);
  const setForm = useApp((s) => s.setSampleForm);
  const url = useApp((s) => s.url);
  const generate = useApp((s) => s.generate);
  const trainerExists = useApp((s) => s.trainer.exists);
  const params = sampleParams({ url, sampleForm: form });
  const busy = dataset.kind === 'busy';

  return (
    <section aria-label="Data" className="panel">
      <header className="panel-head">
        <h2>Data</h2>
        <p className="panel-sub">
          A generated sample set: procedural meshes in the 13 categories of the 3D-R2N2 renderings, points
          sampled on their surfaces and views rendered by WebGPU. It is a generated sample, not ShapeNet. Or
          bring your own folder below.
        </p>
      </header>
      {caps && !caps.dataset ? (
        <NotAvailable
          what="Sample-set generation"
          message="The generator and view renderer are not in this build yet."
        />
      ) : (
        <>
          <form
            className="controls"
            onSubmit={(e) => {
              e.preventDefault();
              void generate();
            }}
          >
            <SeedField />
            <label>
              Objects per class
              <input
                type="number"
                min={2}
                max={200}
                value={form.perClass}
                onChange={(e) => setForm({ perClass: Math.max(2, Math.floor(Number(e.target.value) || 2)) })}
              />
            </label>
            <label>
              Views per object
              <input
                type="number"
                min={1}
                max={24}
                value={form.views}
                onChange={(e) =>
                  setForm({ views: Math.max(1, Math.min(24, Math.floor(Number(e.target.value) || 1))) })
                }
              />
            </label>
            <span className="hint">
              {params.points} points, {params.imageSize}×{params.imageSize} views ({url.preset} preset)
            </span>
            <button type="submit" className="primary" disabled={busy || trainerExists}>
              Generate
            </button>
            {trainerExists && <span className="hint">Reset training to generate a new set.</span>}
          </form>
          <FolderSection />
          <OutcomeNote outcome={dataset} what="Loading the dataset" />
          {dataset.kind === 'done' && <DatasetView />}
        </>
      )}
    </section>
  );
}

function DatasetView() {
  const dataset = useApp((s) => s.dataset);
  const selected = useApp((s) => s.selected);
  const select = useApp((s) => s.select);
  const object = useApp((s) => s.object);
  if (dataset.kind !== 'done') return null;
  const info = dataset.value;
  const { summary } = info;
  const rows = classRows(summary.classes, summary.trainCounts, summary.testCounts);
  const maxCount = Math.max(...rows.map((r) => r.train + r.test), 1);
  const total = info.objects.length;
  const nTrain = info.objects.filter((o) => o.split === 'train').length;

  return (
    <div className="data-grid">
      <div className="card">
        <h3 data-testid="dataset-name">{summary.name}</h3>
        {info.source?.kind === 'folder' && <LoadReport report={info.source.report} />}
        <p className="summary-line" data-testid="dataset-summary">
          {total} objects in {summary.classes.length} classes — {nTrain} train, {total - nTrain} test;{' '}
          {summary.points} points and {summary.views} views of {summary.imageSize}×{summary.imageSize} each.
          Made in {info.seconds.toFixed(1)} s.
        </p>
        <p className="next-step">
          Next: pretrain the encoders on this set.{' '}
          <button type="button" className="link-button" onClick={() => openPanel('training')}>
            Go to Training →
          </button>
        </p>
        <table className="counts" aria-label="Class counts">
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Train</th>
              <th scope="col">Test</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">
                  <i className="swatch" style={{ background: classColor(r.label) }} aria-hidden="true" />
                  {r.name}
                </th>
                <td>{r.train}</td>
                <td>{r.test}</td>
                <td className="bar-cell" aria-hidden="true">
                  <span className="bar train" style={{ width: `${(60 * r.train) / maxCount}px` }} />
                  <span className="bar test" style={{ width: `${(60 * r.test) / maxCount}px` }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card viewer-card">
        <div className="viewer-head">
          <label>
            Shape
            <select value={selected} onChange={(e) => void select(Number(e.target.value))}>
              {info.objects.map((o, i) => (
                <option key={o.id} value={i}>
                  {summary.classes[o.label]} — {o.id} ({o.split})
                </option>
              ))}
            </select>
          </label>
        </div>
        <OutcomeNote outcome={object} what="Loading the shape" />
        {object.kind === 'done' && (
          <div className="viewer">
            <PointCloudView
              points={object.value.points}
              size={300}
              label={`3-D view of ${object.value.className} ${object.value.id}`}
            />
            <div className="views">
              <h4>Rendered views</h4>
              <div className="view-grid" data-testid="views">
                {object.value.views.map((v, i) => (
                  <RgbaImage
                    // biome-ignore lint/suspicious/noArrayIndexKey: a view is identified by its position
                    key={`${object.value.id}-${i}`}
                    thumb={v}
                    display={v.size >= 96 ? 128 : 96}
                    label={`view ${i + 1} of ${object.value.id}`}
                  />
                ))}
              </div>
              <p className="muted-sm">
                {object.value.points.length / 3} surface points · {object.value.className} ·{' '}
                {object.value.split} split. Drag to orbit.
              </p>
            </div>
          </div>
        )}
        <h4>All shapes</h4>
        <ul className="gallery" aria-label="Sample-set shapes">
          {info.thumbs.map((t, i) => {
            const name = `${summary.classes[info.objects[i]!.label]} ${info.objects[i]!.id}`;
            return (
              <li key={info.objects[i]!.id}>
                <button
                  type="button"
                  className="thumb-btn"
                  aria-pressed={i === selected}
                  title={name}
                  onClick={() => void select(i)}
                >
                  <RgbaImage thumb={t} display={44} label={name} />
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
