import type { Comparison } from '../../eval/compare-init';
import type { CompareInitReply } from '../../worker/protocol';
import { OutcomeNote } from '../components/Bits';
import { EfficiencyPlot } from '../components/EfficiencyPlot';
import { formatPercent } from '../format';
import { useApp } from '../store';

/**
 * "What pretraining buys": the trained encoder against random inits of the same architecture on
 * the set's train/test split (src/eval/compare-init.ts), as a label-efficiency plot per protocol
 * and a table of the paired differences with their standard errors.
 */
export function PretrainingSection({ running }: { running: boolean }) {
  const res = useApp((s) => s.pretraining);
  const form = useApp((s) => s.pretrainingForm);
  const setName = useApp((s) => (s.dataset.kind === 'done' ? s.dataset.value.summary.name : null));
  const evalSet = useApp((s) => (s.evalSet.kind === 'done' ? s.evalSet.value : null));
  const { setPretrainingForm, runPretrainingComparison } = useApp.getState();
  const onEvalSet = evalSet !== null && form.onEvalSet;
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

  const field = (key: 'seeds' | 'draws' | 'episodes', label: string, min: number, max: number) => (
    <label>
      {label}
      <input
        type="number"
        min={min}
        max={max}
        step={1}
        value={form[key]}
        onChange={(e) =>
          setPretrainingForm({
            [key]: Math.min(max, Math.max(min, Math.floor(Number(e.target.value) || min))),
          })
        }
      />
    </label>
  );

  return (
    <section aria-label="What pretraining buys" className="subsection">
      <h3>What pretraining buys</h3>
      <p className="hint">
        The trained encoder against random inits of the same architecture on{' '}
        {onEvalSet
          ? `the evaluation set ${evalSet.name} (${sum(evalSet.trainCounts)} train, ${sum(evalSet.testCounts)} test clouds, each cut to the model's point count)`
          : `${setName ?? 'the set'}’s train and test split`}
        : a linear SVM (C = 0.01) with every train label, a label-efficiency curve (1, 2, 5, 10 and all labels
        per class, several seeded draws each) and few-shot episodes of the form above. Each under the paper’s
        protocol (raw features) and on standardised features. Differences are paired (same draws and episodes)
        with standard errors; a fit that predicts one class for everything is flagged as degenerate.
      </p>
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          void runPretrainingComparison();
        }}
      >
        {evalSet && (
          <label>
            Compare on
            <select
              value={form.onEvalSet ? 'eval-set' : 'split'}
              onChange={(e) => setPretrainingForm({ onEvalSet: e.target.value === 'eval-set' })}
            >
              <option value="eval-set">evaluation set {evalSet.name}</option>
              <option value="split">{setName ?? 'the training set'}’s split</option>
            </select>
          </label>
        )}
        {field('seeds', 'Random inits', 1, 8)}
        {field('draws', 'Draws per budget', 1, 20)}
        {field('episodes', 'Few-shot episodes', 0, 100)}
        <button type="submit" disabled={res.kind === 'busy' || running}>
          Compare with random init
        </button>
      </form>
      <OutcomeNote outcome={res} what="The comparison" />
      {res.kind === 'done' && <ComparisonView r={res.value} />}
    </section>
  );
}

const pts = (x: number) =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}` : '—';
const se = (x: number | null) => (x !== null && Number.isFinite(x) ? ` ± ${(100 * x).toFixed(1)}` : '');

function ComparisonView({ r }: { r: CompareInitReply }) {
  const where = r.set.source === 'eval-set' ? `the evaluation set ${r.set.name}` : r.set.name;
  const curve = (protocol: 'raw' | 'standardized') =>
    r.label_efficiency.map((p) => ({
      label: p.per_class === null ? 'all' : String(p.per_class),
      trained: p[protocol].trained,
      randomMean: p[protocol].random.mean,
      randomBySeed: p[protocol].random.by_seed,
    }));
  const rows: { name: string; protocol: string; c: Comparison }[] = [];
  for (const p of r.label_efficiency) {
    const name =
      p.per_class === null ? 'linear SVM, all labels' : `${p.per_class} per class (${p.draws} draws)`;
    rows.push(
      { name, protocol: 'paper (raw)', c: p.raw },
      { name, protocol: 'standardised', c: p.standardized },
    );
  }
  if (r.fewshot) {
    const f = r.fewshot.params;
    const name = `few-shot ${f.way}-way ${f.shot}-shot, ${f.query} ${f.query === 1 ? 'query' : 'queries'}`;
    rows.push(
      { name, protocol: 'paper (raw)', c: r.fewshot.raw },
      { name, protocol: 'standardised', c: r.fewshot.standardized },
    );
  }
  return (
    <>
      <p className="summary-line" data-testid="pretraining-summary">
        {`Step ${r.step} against ${r.random_seeds.length} random ${r.random_seeds.length === 1 ? 'init' : 'inits'} on ` +
          `${where}: ${r.n_train} train, ${r.n_test} test objects in ${r.test_classes} classes, ` +
          `${r.set.points} points each, ${r.dim}-d features; chance ${formatPercent(r.chance)}.`}
      </p>
      <div className="efficiency-plots">
        <EfficiencyPlot
          points={curve('raw')}
          chance={r.chance}
          title="Label efficiency, paper's protocol (SVC, C = 0.01, raw features)"
          testid="efficiency-raw"
        />
        <EfficiencyPlot
          points={curve('standardized')}
          chance={r.chance}
          title="Label efficiency, standardised features (SVC, C = 0.01)"
          testid="efficiency-standardized"
        />
      </div>
      <table
        className="compare-table"
        aria-label="Trained against random init"
        data-testid="pretraining-table"
      >
        <thead>
          <tr>
            <th>measure</th>
            <th>protocol</th>
            <th>trained</th>
            <th>random init (± SE)</th>
            <th>trained − random (± SE), points</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map(({ name, protocol, c }) => {
            const degenerate = c.degenerate.trained.single_class + c.degenerate.random.single_class > 0;
            return (
              <tr key={`${name} ${protocol}`}>
                <td>{name}</td>
                <td>{protocol}</td>
                <td>{formatPercent(c.trained)}</td>
                <td>
                  {formatPercent(c.random.mean)}
                  {se(c.random.se)}
                </td>
                <td>
                  {pts(c.diff.mean)}
                  {se(c.diff.se)}
                </td>
                <td>
                  {degenerate ? (
                    <span className="degenerate" title={c.note ?? ''}>
                      degenerate
                    </span>
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {r.fewshot?.adjusted && (
        <p className="hint">
          Few-shot ran {r.fewshot.params.way}-way {r.fewshot.params.shot}-shot with {r.fewshot.params.query}{' '}
          queries per class: what this split can fill.
        </p>
      )}
      {r.notes.length > 0 && (
        <ul className="hint" data-testid="pretraining-notes">
          {r.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </>
  );
}
