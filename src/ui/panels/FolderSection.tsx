import { useEffect, useRef, useState } from 'react';
import { recordBytes } from '../../data/object-cache';
import { maxBufferBytes } from '../../gpu/limits';
import { PRESETS } from '../../train/presets';
import { folderDataBytes } from '../../train/training-data-bytes';
import { type FolderLoadReport, streamReason } from '../../train/folder-load-report';
import { dataBudget, TEST_DATA_BUDGET } from '../data-budget';
import type { EvalSetSummary, FolderSummary } from '../../worker/protocol';
import { OutcomeNote } from '../components/Bits';
import {
  type ChosenFolder,
  folderFromDrop,
  folderFromInput,
  hasDirectoryPicker,
  pickFolder,
} from '../folder-files';
import { folderParams, useApp } from '../store';

const MiB = 1024 * 1024;
const mib = (b: number) => `${(b / MiB).toFixed(b < 10 * MiB ? 1 : 0)} MiB`;
const bytesText = (b: number) => (b >= 1024 * MiB ? `${(b / (1024 * MiB)).toFixed(2)} GiB` : mib(b));

/** What this page's storage has free (navigator.storage.estimate), once known. */
function useStorageFree(): number | undefined {
  const [free, setFree] = useState<number | undefined>();
  useEffect(() => {
    let live = true;
    void navigator.storage
      ?.estimate?.()
      .then((e) => {
        if (live && e.quota !== undefined) setFree(Math.max(0, e.quota - (e.usage ?? 0)));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return free;
}

/** Objects the form picks: per chosen class, all or at most `perClass`. */
function pickedObjects(f: FolderSummary, classes: readonly string[], perClass: number): number {
  return f.classes
    .filter((c) => classes.length === 0 || classes.includes(c.key))
    .reduce((n, c) => n + (perClass > 0 ? Math.min(perClass, c.objects) : c.objects), 0);
}

/**
 * "Your own data": choose or drop a folder (read in the tab, nothing uploaded), see what it holds,
 * pick a subset, see its GPU bytes, load it as the dataset, and read the per-file report.
 */
export function FolderSection() {
  const folder = useApp((s) => s.folder);
  const form = useApp((s) => s.folderForm);
  const url = useApp((s) => s.url);
  const dataset = useApp((s) => s.dataset);
  const trainerExists = useApp((s) => s.trainer.exists);
  const limits = useApp((s) => (s.engine.kind === 'ready' ? s.engine.adapter.limits : null));
  const evalSet = useApp((s) => s.evalSet);
  const loadError = useApp((s) => s.folderLoadError);
  const { openFolder, setFolderForm, loadFolder, loadEvalSet } = useApp.getState();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [pickError, setPickError] = useState<string | null>(null);

  const take = (chosen: ChosenFolder | null) => {
    if (chosen) void openFolder(chosen.name, chosen.files);
  };
  const choose = async () => {
    setPickError(null);
    if (!hasDirectoryPicker()) return input.current?.click();
    try {
      take(await pickFolder());
    } catch (e) {
      setPickError((e as Error).message);
    }
  };

  const f = folder.kind === 'done' ? folder.value : null;
  const params = folderParams({ url, folderForm: form });
  const n = f ? pickedObjects(f, form.classes, form.perClass) : 0;
  const bytes = folderDataBytes(n, params.points, params.views, params.imageSize);
  const cap = limits ? maxBufferBytes(limits) : Number.POSITIVE_INFINITY;
  // Views are kept as 8-bit RGBA in shards under the adapter's buffer limit, within the tab's
  // budget; a set over either streams its batches from a cache on disk (checked against the quota).
  const budget = dataBudget();
  const streams = bytes.total > budget || bytes.clouds > cap;
  const cacheBytes = n * recordBytes({ points: params.points, views: params.views, size: params.imageSize });
  const free = useStorageFree();
  const tooLarge = streams && free !== undefined && cacheBytes > free;
  const busy = dataset.kind === 'busy' || folder.kind === 'busy';

  return (
    <section
      aria-label="Your own data"
      className={`card folder-card dropzone ${dragging ? 'dragging' : ''}`}
      data-testid="folder-drop"
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
        void folderFromDrop(e.dataTransfer).then(take, (err: Error) => setPickError(err.message));
      }}
    >
      <h3>Your own data</h3>
      <p className="muted-sm">
        <b>Drop a folder here</b> or choose one: CrossPoint's layout (
        <code>ShapeNet/&lt;synset&gt;/&lt;id&gt;.ply</code> with{' '}
        <code>ShapeNetRendering/…/rendering/*.png</code>, or what <code>crosspoint sample</code> writes),
        ShapeNetCore <code>.obj</code> or ModelNet <code>.off</code> meshes (views rendered here), and{' '}
        <code>.h5</code> evaluation sets. It is read in this tab; nothing is uploaded.
      </p>
      <div className="controls">
        <button type="button" onClick={() => void choose()} disabled={busy}>
          Choose folder…
        </button>
        <label className="visually-hidden">
          Folder
          <input
            ref={input}
            type="file"
            // biome-ignore lint/suspicious/noExplicitAny: webkitdirectory is not in React's types
            {...({ webkitdirectory: '', directory: '' } as any)}
            multiple
            onChange={(e) => {
              take(folderFromInput(e.target.files ?? []));
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {pickError && (
        <p className="error-note" role="alert">
          The folder could not be opened: {pickError}
        </p>
      )}
      <OutcomeNote outcome={folder} what="Reading the folder" />
      {f && (
        <div data-testid="folder-summary">
          <p className="summary-line">
            <b>{f.name}</b>:{' '}
            {f.layout
              ? `${f.objects} objects in ${f.classes.length} classes, ${f.layoutName}${f.maxViews ? `, up to ${f.maxViews} views each` : ''}.`
              : 'no training objects.'}
            {f.evalFiles.length > 0 &&
              ` Evaluation sets: ${f.evalFiles.map((e) => `${e.path} (${e.kind}${e.split ? `, ${e.split}` : ''})`).join(', ')}.`}
          </p>
          {f.problems.length > 0 && <ProblemList title="files left out" items={f.problems} />}
          {f.evalFiles.length > 0 && (
            <div className="controls">
              <button type="button" onClick={() => void loadEvalSet()} disabled={evalSet.kind === 'busy'}>
                Use the .h5 files as the evaluation set
              </button>
            </div>
          )}
          <OutcomeNote outcome={evalSet} what="Reading the evaluation set" />
          {evalSet.kind === 'done' && <EvalSetView set={evalSet.value} />}
          {f.layout && (
            <form
              className="controls"
              onSubmit={(e) => {
                e.preventDefault();
                void loadFolder();
              }}
            >
              <label>
                Classes
                <select
                  multiple
                  size={Math.min(6, f.classes.length + 1)}
                  value={form.classes.length ? form.classes : ['*']}
                  onChange={(e) => {
                    const keys = [...e.target.selectedOptions].map((o) => o.value);
                    setFolderForm({ classes: keys.includes('*') ? [] : keys });
                  }}
                >
                  <option value="*">all {f.classes.length} classes</option>
                  {f.classes.map((c) => (
                    <option key={c.key} value={c.key}>
                      {c.name} ({c.objects})
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Objects per class (0: all)
                <input
                  type="number"
                  min={0}
                  value={form.perClass}
                  onChange={(e) =>
                    setFolderForm({ perClass: Math.max(0, Math.floor(Number(e.target.value) || 0)) })
                  }
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
                    setFolderForm({
                      views: Math.max(1, Math.min(24, Math.floor(Number(e.target.value) || 1))),
                    })
                  }
                />
              </label>
              <span className="hint" data-testid="folder-estimate">
                {n} objects, {params.points} points and {params.views} views of {params.imageSize}×
                {params.imageSize} each: about {mib(bytes.total)} on the GPU (views {mib(bytes.views)}, clouds{' '}
                {mib(bytes.clouds)}){Number.isFinite(cap) && `; the adapter's largest buffer is ${mib(cap)}`}.
              </span>
              <button
                type="submit"
                className="primary"
                disabled={busy || trainerExists || tooLarge || n === 0}
              >
                Load folder
              </button>
              {trainerExists && <span className="hint">Reset training to load another set.</span>}
              {loadError && (
                <span className="error-note" role="alert">
                  The folder could not be loaded: {loadError} The dataset on hand is unchanged.
                </span>
              )}
              {streams && (
                <span className="hint" data-testid="folder-streams">
                  Over{' '}
                  {bytes.total > budget
                    ? `the tab's ${bytesText(budget)} GPU budget for a dataset${TEST_DATA_BUDGET !== undefined ? ' (set by the address)' : ''}`
                    : `the adapter's largest buffer of ${bytesText(cap)} (the clouds)`}
                  : this set streams its batches from a cache on disk (OPFS, else IndexedDB) of{' '}
                  {bytesText(cacheBytes)}, written while it is read
                  {free !== undefined && `; this page's storage has ${bytesText(free)} free`}.
                </span>
              )}
              {tooLarge && (
                <span className="error-note" role="alert">
                  The disk cache would not fit: it needs {bytesText(cacheBytes)} and this page's storage quota
                  leaves {bytesText(free ?? 0)}. Free disk space or this site's stored data, or lower the
                  views per object, the objects per class or the classes.
                </span>
              )}
            </form>
          )}
        </div>
      )}
    </section>
  );
}

function ProblemList({ title, items }: { title: string; items: { file: string; problem: string }[] }) {
  return (
    <details className="problem-list">
      <summary>
        {items.length} {title}
      </summary>
      <ul className="problem-items">
        {items.map((p) => (
          <li key={`${p.file}:${p.problem}`}>
            <code>{p.file}</code>: {p.problem}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The evaluation set: its name, splits and classes, and the files it left out. */
function EvalSetView({ set }: { set: EvalSetSummary }) {
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const used = set.classes.filter((_, c) => set.trainCounts[c]! + set.testCounts[c]! > 0).length;
  return (
    <div className="load-report" data-testid="eval-set">
      <p>
        Evaluation set <b>{set.name}</b> ({set.kind}): {sum(set.trainCounts)} train and {sum(set.testCounts)}{' '}
        test clouds of {set.pointsPerCloud} points in {used} classes, from {set.files.join(', ')}.{' '}
        {set.notes.map((n) => `${n[0]!.toUpperCase()}${n.slice(1)}.`).join(' ')}
      </p>
      {set.problems.length > 0 && <ProblemList title="files left out" items={set.problems} />}
    </div>
  );
}

/** What loading a folder did: objects read, and each file left out or odd, with the reason. */
export function LoadReport({ report }: { report: FolderLoadReport }) {
  const batch = useApp((s) => PRESETS[s.url.preset].batch);
  const st = report.stream;
  return (
    <div className="load-report" data-testid="load-report">
      <p>
        Read {report.loaded} of {report.picked} objects from <b>{report.folder}</b> ({report.layout} layout).
      </p>
      {st && (
        <p data-testid="stream-report">
          Streams from {st.where}: the set takes {streamReason(st)}, so its clouds and 8-bit views are in a{' '}
          {bytesText(st.cacheBytes)} cache on disk and each step reads its batch into a two-slot GPU ring (the
          next batch while the current one trains).
          {st.readMsPerObject !== undefined &&
            ` Reading an object back takes about ${st.readMsPerObject.toFixed(2)} ms (measured on the first ones), a batch of ${batch} about ${(st.readMsPerObject * batch).toFixed(1)} ms a step, overlapped with the GPU's work.`}{' '}
          The cache is deleted when the set is replaced.
        </p>
      )}
      {report.skipped.length > 0 && (
        <details open>
          <summary>{report.skipped.length} files left out</summary>
          <ul className="problem-items" data-testid="skipped-files">
            {report.skipped.map((p) => (
              <li key={`${p.file}:${p.problem}`}>
                <code>{p.file}</code>: {p.problem}
              </li>
            ))}
          </ul>
        </details>
      )}
      {report.warnings.length > 0 && <ProblemList title="files read with a note" items={report.warnings} />}
    </div>
  );
}
