import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from './address';
import { DEFAULT_HYPER, DEFAULT_SAMPLE } from './model';

describe('the address', () => {
  it('round-trips every setting of a run', () => {
    const search =
      '?preset=first-look&seed=7&panel=training&batch=6&lr=0.004&wd=0&temp=0.2&k=8&epochs=45&autosave=5&losses=imid&per-class=5&views=2';
    const a = parseAddress(search);
    expect(a.problems).toEqual([]);
    expect(a.presetNamed).toBe(true);
    expect(a.url).toEqual({ preset: 'first-look', seed: 7, panel: 'training' });
    expect(a.hyper).toEqual({
      batch: '6',
      lr: '0.004',
      weightDecay: '0',
      temperature: '0.2',
      k: '8',
      epochs: '45',
      checkpointEvery: '5',
      imid: true,
      cmid: false,
    });
    expect(a.sample).toEqual({ perClass: 5, views: 2 });
    expect(formatAddress({ url: a.url, presetDecided: true, hyper: a.hyper, sample: a.sample })).toBe(search);
  });

  it('defaults stay out of the address; an undecided preset is left out', () => {
    const a = parseAddress('');
    expect(a).toMatchObject({
      presetNamed: false,
      hyper: DEFAULT_HYPER,
      sample: DEFAULT_SAMPLE,
      problems: [],
    });
    expect(formatAddress({ url: a.url, presetDecided: false, hyper: a.hyper, sample: a.sample })).toBe(
      '?seed=1&panel=data',
    );
  });

  it('reports each value it cannot use, and what it does instead', () => {
    const a = parseAddress('?preset=huge&seed=-5&lr=fast&losses=imid,foo&views=0&seed2=1');
    expect(a.problems).toEqual([
      'The address\'s preset "huge" is not a preset (first-look, tiny, small, paper); the adapter\'s default is used.',
      "The address's seed=-5 is not a seed (an integer ≥ 0); seed 1 is used.",
      "The address's lr=fast is not a number; the Training form shows it for correction.",
      "The address's losses=imid,foo is not a list of loss terms (imid, cmid); both terms are used.",
      "The address's views=0 is not an integer ≥ 1; 4 is used.",
    ]);
    expect(a.presetNamed).toBe(false);
    expect(a.url.seed).toBe(1);
    expect(a.hyper.lr).toBe('fast');
    expect(parseAddress('?seed=1.5').problems).toHaveLength(1);
    expect(parseAddress('?seed=').problems).toHaveLength(1);
  });
});
