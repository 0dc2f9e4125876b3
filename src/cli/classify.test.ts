import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { modelNetSubset, scratchDir, smallDgcnnWeights } from '../../test/cli-fixtures';
import { haveSharedData } from '../../test/shared-data';
import { Rng } from '../util/random';

const { save } = scratchDir('crosspoint-classify-');

/** An ASCII PLY of n points on a stretched ellipsoid. */
function ellipsoidPly(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const rows = Array.from({ length: n }, () => {
    const v = [rng.normal(), rng.normal(), rng.normal()];
    const r = Math.hypot(...v);
    return `${(3 * v[0]!) / r} ${v[1]! / r} ${(0.5 * v[2]!) / r}`;
  });
  const head = [
    'ply',
    'format ascii 1.0',
    `element vertex ${n}`,
    'property float x',
    'property float y',
    'property float z',
    'end_header',
  ];
  return new TextEncoder().encode(`${[...head, ...rows].join('\n')}\n`);
}

describe('crosspoint classify', () => {
  it("gives the Classify panel's answer per file as JSON: label, top-5 votes, nearest shapes, OOD verdict", () => {
    const a = save('ellipsoid.ply', ellipsoidPly(300, 1));
    const r = crosspoint(['classify', a, a, '--per-class', '3', '--seed', '2'], { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toEqual({ preset: 'first-look', step: 0, weights: 'random init, seed 2' });
    expect(out.set).toMatchObject({ objects: 39, classes: 13, falseAlarm: 0.05 });
    expect(out.results).toHaveLength(2);
    const [x, y] = out.results;
    expect(x.file).toBe(a);
    expect(x.top).toHaveLength(5);
    for (let i = 1; i < 5; i++) expect(x.top[i].score).toBeLessThanOrEqual(x.top[i - 1].score);
    // One-vs-one votes among 13 classes: at most 12 (+ a tie-break under ⅓).
    expect(x.top[0].score).toBeLessThan(12 + 1 / 3);
    expect(x.scores).toMatch(/^votes: of the 12 one-against-one contests .* \(0 to 12\)$/);
    expect(x.nearest).toHaveLength(5);
    expect(x.ood.calibrationShapes).toBe(39);
    // 39 held-out distances: their conformal 95 % quantile is the second largest.
    expect(x.ood.thresholdFrom).toMatch(/^the 95 % quantile of the 39 reference shapes/);
    expect(x.ood.leftOut).toBe(0);
    expect(x.ood.meaning).toMatch(/Mahalanobis distance/);
    // Calibrated on the generated set: the verdict says so, and that it fails on real files.
    expect(x.ood.reference).toMatch(/^Generated sample set/);
    expect(x.ood.caveat).toMatch(/calibrated on generated shapes/);
    expect(x.ood.verdict).toBe(x.ood.distance > x.ood.threshold ? 'out-of-distribution' : 'in-distribution');
    // No label is claimed for a shape out of distribution; the guess is always there.
    expect(x.label).toBe(x.ood.verdict === 'in-distribution' ? x.top[0].class : null);
    expect(x.guess).toBe(x.top[0].class);
    expect(x.notes.join(' ')).toMatch(/centred and scaled to the unit sphere/);
    // The same file twice: the same answer (deterministic, nothing carried between files).
    expect(y).toEqual(x);
  }, 600_000);

  it('refuses bad input with one line naming what is wrong (exit 2), before any set-up', () => {
    const missing = crosspoint(['classify', '/nonexistent/shape.ply']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read "\/nonexistent\/shape\.ply": no such file/);
    expect(crosspoint(['classify']).stderr).toMatch(/missing FILE/);
    const a = save('e.ply', ellipsoidPly(50, 2));
    const both = crosspoint(['classify', a, '--weights', a, '--seed', '1']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/a checkpoint \(--weights\) carries its own/);
    // Encoder-only weights are not a run's checkpoint: the message says which file is wanted.
    const { weights } = smallDgcnnWeights(save, 1);
    const enc = crosspoint(['classify', a, '--weights', weights]);
    expect(enc.code).toBe(2);
    expect(enc.stderr).toMatch(/not a training checkpoint of this app/);
    const noSet = crosspoint(['classify', a, '--set', '/nonexistent/folder']);
    expect(noSet.code).toBe(2);
    expect(noSet.stderr).toMatch(/--set: no dataset folder at \/nonexistent\/folder/);
    expect(crosspoint(['classify', a, '--reference-classes', 'vase']).stderr).toMatch(
      /--reference-classes needs --reference/,
    );
    const unlabelled = crosspoint(['classify', a, '--reference', a]);
    expect(unlabelled.code).toBe(2);
    expect(unlabelled.stderr).toMatch(/--reference ".*e\.ply": cloud 0 has no label/);
  }, 300_000);

  it.skipIf(!haveSharedData('the crosspoint classify --reference test (the ModelNet40 subset)'))(
    'calibrates the OOD threshold on real labelled shapes with --reference (only the classes asked for)',
    () => {
      const { train, test } = modelNetSubset();
      const bad = crosspoint([
        'classify',
        test,
        '--reference',
        test,
        '--reference-classes',
        'vase,spaceship',
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(
        /--reference-classes: "spaceship" is not a class of .*ply_data_test0\.h5 \(it has .*vase/,
      );
      const a = save('ellipsoid.ply', ellipsoidPly(300, 1));
      // ply_data_train0.h5 holds 9 sofas and 5 tables (MANIFEST.md).
      const r = crosspoint(
        [
          'classify',
          a,
          '--per-class',
          '3',
          '--seed',
          '2',
          '--reference',
          train,
          '--reference-classes',
          'sofa,table',
        ],
        { timeoutMs: 600_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.set.oodReference).toBe(train);
      const [x] = out.results;
      expect(x.ood.calibrationShapes).toBe(14);
      // Too few for a 95 % quantile other than the largest: a log-normal fit's.
      expect(x.ood.thresholdFrom).toMatch(/log-normal/);
      expect(x.ood.reference).toBe('ply_data_train0.h5: 14 shapes of 2 classes');
      expect(x.ood.caveat).toBeUndefined();
      expect(['sofa', 'table']).toContain(x.ood.nearestClass);
      expect(x.ood.verdict).toBe(
        x.ood.distance > x.ood.threshold ? 'out-of-distribution' : 'in-distribution',
      );
    },
    600_000,
  );
});
