import { describe, expect, it } from 'vitest';
import { PARTSEG_TINY } from '../../test/partseg-testing';
import { type SafeTensor, writeSafetensors } from '../io/safetensors';
import {
  PARTSEG_REFERENCE,
  partSegAliases,
  partSegHeadNames,
  partSegParamSpecs,
} from './dgcnn-partseg-config';
import { initialiseParams, numel } from './param-spec';
import { loadPartSegWeights, savePartSegWeights } from './partseg-weights';
import { toStateDict } from './weights';

const shapeOf = (name: string) => partSegParamSpecs(PARTSEG_REFERENCE).find((s) => s.name === name)?.shape;

/** The state_dict PyTorch would write: canonical tensors plus every alias sharing their bytes. */
function withAliases(mode: 'segment' | 'pretrain', seed: number) {
  const c = PARTSEG_TINY;
  const specs = partSegParamSpecs(c, mode);
  const sd = toStateDict(specs, initialiseParams(specs, seed));
  for (const [alias, canon] of partSegAliases(c, mode)) sd.set(alias, sd.get(canon)!);
  return sd;
}

describe('part-segmentation names (DGCNN_partseg state_dict)', () => {
  it("keeps the reference's names, shapes and order, with the transform net's bn3 quirk", () => {
    const names = partSegParamSpecs(PARTSEG_REFERENCE).map((s) => s.name);
    // Transform_Net assigns self.bn3 twice: the name keeps the first slot, the module is the
    // 512-wide BN1d after linear1; conv3's own 1024-wide BN lives only as conv3.1.
    expect(shapeOf('transform_net.bn3.weight')).toEqual([512]);
    expect(shapeOf('transform_net.conv3.1.weight')).toEqual([1024]);
    expect(shapeOf('transform_net.conv3.1.running_var')).toEqual([1024]);
    expect(names.slice(0, 16)).toEqual([
      ...['bn1', 'bn2', 'bn3'].flatMap((b) =>
        ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].map(
          (f) => `transform_net.${b}.${f}`,
        ),
      ),
      'transform_net.conv1.0.weight',
    ]);
    expect(shapeOf('transform_net.conv1.0.weight')).toEqual([64, 6, 1, 1]);
    expect(shapeOf('transform_net.conv2.0.weight')).toEqual([128, 64, 1, 1]);
    expect(shapeOf('transform_net.conv3.0.weight')).toEqual([1024, 128, 1]);
    expect(shapeOf('transform_net.linear1.weight')).toEqual([512, 1024]);
    expect(shapeOf('transform_net.linear2.weight')).toEqual([256, 512]);
    expect(shapeOf('transform_net.transform.weight')).toEqual([9, 256]);
    expect(shapeOf('conv2.0.weight')).toEqual([64, 64, 1, 1]);
    expect(shapeOf('conv3.0.weight')).toEqual([64, 128, 1, 1]);
    expect(shapeOf('conv6.0.weight')).toEqual([1024, 192, 1]);
    expect(shapeOf('conv7.0.weight')).toEqual([64, 16, 1]);
    expect(shapeOf('conv8.0.weight')).toEqual([256, 1280, 1]);
    expect(shapeOf('conv11.weight')).toEqual([50, 128, 1]);
    expect(shapeOf('inv_head.0.weight')).toEqual([1024, 1024]);
    expect(names).not.toContain('conv11.0.weight');
    expect(names.filter((n) => n.includes('.1.'))).toEqual(
      expect.arrayContaining(['transform_net.conv3.1.weight', 'inv_head.1.weight']),
    );
    // Aliases: conv{i}.1 of bn{i} and the transform net's conv1.1 / conv2.1 — never conv3.1.
    const aliases = partSegAliases(PARTSEG_REFERENCE);
    expect(aliases.get('transform_net.conv1.1.weight')).toBe('transform_net.bn1.weight');
    expect(aliases.get('transform_net.conv2.1.running_mean')).toBe('transform_net.bn2.running_mean');
    expect(aliases.has('transform_net.conv3.1.weight')).toBe(false);
    expect(aliases.get('conv10.1.bias')).toBe('bn10.bias');
    expect(aliases.has('conv11.1.weight')).toBe(false);
    expect(aliases.size).toBe(12 * 5);
    // The transform starts as the identity (weight 0, bias eye).
    const init = initialiseParams(partSegParamSpecs(PARTSEG_REFERENCE), 1);
    expect([...(init.get('transform_net.transform.bias') as Float32Array)]).toEqual([
      1, 0, 0, 0, 1, 0, 0, 0, 1,
    ]);
    expect((init.get('transform_net.transform.weight') as Float32Array).every((v) => v === 0)).toBe(true);
  });

  it('round-trips a file, and reads PyTorch-style aliases and a point_model. prefix', () => {
    const c = PARTSEG_TINY;
    const v = initialiseParams(partSegParamSpecs(c), 4);
    const back = loadPartSegWeights(savePartSegWeights(c, v));
    expect(back.config).toEqual(c);
    expect(back.missing).toEqual([]);
    for (const [k, t] of v) expect(back.values.get(k), k).toEqual(t);
    const aliased = withAliases('segment', 4);
    const prefixed = new Map([...aliased].map(([k, t]) => [`point_model.${k}`, t] as [string, SafeTensor]));
    const r = loadPartSegWeights(writeSafetensors(prefixed, { k: '3' }));
    for (const [k, t] of v) expect(r.values.get(k), k).toEqual(t);
  });

  it('refuses an alias that differs from its canonical tensor, and a missing conv3.1 (not an alias of bn3)', () => {
    const sd = withAliases('segment', 5);
    const bad = new Map(sd);
    bad.set('transform_net.conv1.1.weight', {
      ...sd.get('transform_net.bn1.weight')!,
      data: new Float32Array(PARTSEG_TINY.tnet[0]).fill(7),
    });
    expect(() => loadPartSegWeights(writeSafetensors(bad, { k: '3' }))).toThrow(
      /"transform_net.conv1.1.weight" and its alias "transform_net.bn1.weight" are both present and differ/,
    );
    const noConv3Bn = new Map([...sd].filter(([k]) => !k.startsWith('transform_net.conv3.1.')));
    expect(() => loadPartSegWeights(writeSafetensors(noConv3Bn, { k: '3' }))).toThrow(
      /missing 5: transform_net.conv3.1.weight, transform_net.conv3.1.bias, transform_net.conv3.1.running_mean, transform_net.conv3.1.running_var, transform_net.conv3.1.num_batches_tracked/,
    );
  });

  it('a reference-shaped dgcnn_seg pretraining checkpoint loads with the segmentation head missing (strict = false), reported', () => {
    const c = PARTSEG_TINY;
    const pre = withAliases('pretrain', 6);
    const bytes = writeSafetensors(pre, { k: '3' });
    // Strict loading names what is missing.
    expect(() => loadPartSegWeights(bytes, { expect: c })).toThrow(
      /missing 5: conv7.0.weight, conv8.0.weight/,
    );
    const r = loadPartSegWeights(bytes, { expect: c, strict: false, seed: 9 });
    expect(r.missing).toEqual(partSegHeadNames(c));
    expect(r.missing).toEqual([
      'conv7.0.weight',
      'conv8.0.weight',
      'conv9.0.weight',
      'conv10.0.weight',
      'conv11.weight',
    ]);
    expect(r.unexpected).toEqual([]);
    // Loaded tensors carry the checkpoint's values; missing ones fresh (seeded) initial values.
    const pv = initialiseParams(partSegParamSpecs(c, 'pretrain'), 6);
    for (const name of [
      'transform_net.bn3.weight',
      'transform_net.conv3.1.running_var',
      'conv6.0.weight',
      'inv_head.3.bias',
    ])
      expect(r.values.get(name), name).toEqual(pv.get(name));
    const fresh = initialiseParams(partSegParamSpecs(c), 9);
    expect(r.values.get('conv11.weight')).toEqual(fresh.get('conv11.weight'));
    expect((r.values.get('conv8.0.weight') as Float32Array).length).toBe(numel([5, 6 + 2 + 12, 1]));
    // The same checkpoint loads strictly as the dgcnn_seg encoder.
    expect(loadPartSegWeights(bytes, { expect: c, mode: 'pretrain' }).missing).toEqual([]);
    // A shape mismatch is an error even without strict, as in PyTorch.
    const wrong = new Map(pre);
    wrong.set('conv6.0.weight', { dtype: 'F32', shape: [6, 11, 1], data: new Float32Array(66) });
    expect(() =>
      loadPartSegWeights(writeSafetensors(wrong, { k: '3' }), { expect: c, strict: false }),
    ).toThrow(/conv6.0.weight: expected F32\[6, 12, 1\], got F32\[6, 11, 1\]/);
    // Extra names are reported, not loaded.
    const extra = new Map(pre);
    extra.set('linear9.weight', { dtype: 'F32', shape: [2], data: new Float32Array(2) });
    expect(
      loadPartSegWeights(writeSafetensors(extra, { k: '3' }), { expect: c, strict: false }).unexpected,
    ).toEqual(['linear9.weight']);
  });
});
