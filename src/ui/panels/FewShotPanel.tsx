import type { FewShotResult } from '../../eval/fewshot';
import { NotAvailable, OutcomeNote } from '../components/Bits';
import { EpisodeSpread } from '../components/EpisodeSpread';
import { pairedDifference } from '../fewshot-compare';
import { TARGET_QUERIES } from '../fewshot-defaults';
import { formatAccuracy } from '../format';
import { useApp } from '../store';
import type { FewShotParams } from '../../worker/protocol';
import { DatasetTag } from '../components/DatasetTag';

export function FewShotPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const res = useApp((s) => s.fewshot);
  const form = useApp((s) => s.fewshotForm);
  const trainer = useApp((s) => s.trainer);
  const dataset = useApp((s) => s.dataset);
  const { setFewshotForm, runFewshot } = useApp.getState();
  const info = dataset.kind === 'done' ? dataset.value : null;
  const minTrain = info ? Math.min(...info.summary.trainCounts) : 0;
  const minTest = info ? Math.min(...info.summary.testCounts) : 0;

  const field = (key: keyof FewShotParams, label: string, min: number, max?: number) => (
    <label>
      {label}
      <input
        type="number"
        min={min}
        max={max}
        step={1}
        value={form[key]}
        onChange={(e) => setFewshotForm({ [key]: Math.max(min, Math.floor(Number(e.target.value) || min)) })}
      />
    </label>
  );

  return (
    <section aria-label="Few-shot" className="panel">
      <header className="panel-head">
        <h2>Few-shot</h2>
        <p className="panel-sub">
          N-way K-shot episodes on the sample set’s classes with frozen encoder features: support from the
          train split, queries from the test split, features standardised on the support set, a linear SVM (C
          = 0.01). The same episodes run on a randomly initialised encoder for comparison.
        </p>
        <DatasetTag />
      </header>
      {caps && !caps.trainer ? (
        <NotAvailable
          what="Few-shot evaluation"
          message="It needs the encoder features from the trainer, which is not in this build yet."
        />
      ) : !trainer.exists ? (
        <p className="empty">No model yet: press Train or Step in the Training panel, then come back.</p>
      ) : (
        <>
          <form
            className="controls"
            onSubmit={(e) => {
              e.preventDefault();
              void runFewshot();
            }}
          >
            {field('way', 'N-way', 2, info?.summary.classes.length)}
            {field('shot', 'K-shot', 1, minTrain || undefined)}
            {field('query', 'Queries per class', 1, minTest || undefined)}
            {field('episodes', 'Episodes', 1, 100)}
            <button type="submit" className="primary" disabled={res.kind === 'busy'}>
              Run episodes
            </button>
            {trainer.running && (
              <span className="hint" data-testid="fewshot-snapshot-note">
                Training runs on: the episodes use a copy of the weights at the step they start.
              </span>
            )}
          </form>
          {info && (
            <p className="hint">
              This sample set has at least {minTrain} train and {minTest} test objects per class; generate
              more objects per class in the Data panel for larger K or more queries. The form starts at 5-way,
              as many shots (up to 5) and queries (up to 10) as the set allows, and enough episodes for about{' '}
              {TARGET_QUERIES} answers in all, so that the spread of the mean is a few points.
            </p>
          )}
          <OutcomeNote outcome={res} what="Few-shot evaluation" />
          {res.kind === 'done' && (
            <>
              <p className="summary-line" data-testid="fewshot-summary">
                {`${res.value.params.way}-way ${res.value.params.shot}-shot, ${res.value.params.query} ` +
                  `${res.value.params.query === 1 ? 'query' : 'queries'} per class, ${res.value.params.episodes} ` +
                  `episodes on ${res.value.dim}-d features at step ${res.value.step}.`}
              </p>
              <div className="fewshot-cards">
                <ResultCard
                  title={`CrossPoint (step ${res.value.step})`}
                  r={res.value.trained}
                  testid="fewshot-trained"
                />
                <ResultCard title="Random init (step 0)" r={res.value.random} testid="fewshot-random" />
              </div>
              <EpisodeSpread
                way={res.value.params.way}
                title={`Accuracy of each of the ${res.value.params.episodes} episodes, CrossPoint against random init, 0–100 %`}
                groups={[
                  {
                    name: `CrossPoint (step ${res.value.step})`,
                    ...res.value.trained,
                    color: '#2f6fd6',
                    testid: 'episodes-trained',
                  },
                  { name: 'Random init', ...res.value.random, color: '#7d8794', testid: 'episodes-random' },
                ]}
              />
              <PairedLine trained={res.value.trained.accs} random={res.value.random.accs} />
              {res.value.trained.excluded.length > 0 && (
                <p className="hint">
                  Left out for too few examples:{' '}
                  {res.value.trained.excluded
                    .map(
                      (c) =>
                        `${info?.summary.classes[c.label] ?? c.label} (${c.train} train, ${c.test} test)`,
                    )
                    .join(', ')}
                  .
                </p>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

function ResultCard({ title, r, testid }: { title: string; r: FewShotResult; testid: string }) {
  return (
    <div className="card result-card" data-testid={testid}>
      <h3>{title}</h3>
      <p className="big-number">{formatAccuracy(r.mean, r.std)}</p>
      <p className="muted-sm">mean ± sd over {r.accs.length} episodes</p>
    </div>
  );
}

/** Both encoders ran the same episodes: the mean paired difference and its standard error. */
function PairedLine({ trained, random }: { trained: number[]; random: number[] }) {
  if (trained.length !== random.length || trained.length === 0) return null;
  const p = pairedDifference(trained, random);
  const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;
  return (
    <p className="hint" data-testid="fewshot-difference">
      CrossPoint − random init on the same {trained.length} episodes: {pts(p.mean)} points
      {Number.isFinite(p.se) ? ` (standard error ${(100 * p.se).toFixed(1)})` : ''}; better in {p.better},
      equal in {p.equal}, worse in {p.worse}.
      {Number.isFinite(p.se) && Math.abs(p.mean) < 2 * p.se
        ? ' The gap is within two standard errors: run more episodes or queries, or train longer, before reading much into it.'
        : ''}
    </p>
  );
}
