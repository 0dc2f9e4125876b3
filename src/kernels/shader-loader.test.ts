import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import batchnormWgsl from '../../shaders/batchnorm.wgsl?raw';
import edgeconvWgsl from '../../shaders/edgeconv.wgsl?raw';
import knnWgsl from '../../shaders/knn.wgsl?raw';
import { includedParts, withPrelude } from '../../shaders/loader';
import { setupGpu } from '../../test/gpu';
import { withBuffers } from '../../test/op-check';
import { bindAt } from '../gpu/bind';
import { submitAndWait } from '../gpu/buffers';
import { encodePass } from '../gpu/dispatch';
import { DEFAULT_K } from '../nn/dgcnn-config';
import { KNN_MAX_K, kProblem, validateK } from './knn-limits';
import { SHADER_CONSTANTS } from './shader-constants';

const gpu = setupGpu();
const SHADERS = join(import.meta.dirname, '../../shaders');

describe('WGSL loader (shaders/loader.ts): prelude and shared constants', () => {
  it('every imported shader carries the prelude and the constants the TypeScript uses', () => {
    expect(knnWgsl).toContain(readFileSync(join(SHADERS, 'knn.wgsl'), 'utf8'));
    expect(knnWgsl).toContain('fn foldedId(wid: vec3u, nwg: vec3u, size: u32, lid: u32) -> u32');
    expect(knnWgsl).toContain(`const KNN_MAX_K: u32 = ${KNN_MAX_K}u;`);
    for (const [name, v] of Object.entries(SHADER_CONSTANTS))
      expect(knnWgsl).toContain(`const ${name}: u32 = ${v}u;`);
  });

  it('no shader file repeats the folded-grid index or a shared number', () => {
    const files = readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl') && f !== 'prelude.wgsl');
    expect(files.length).toBeGreaterThan(15);
    for (const f of files) {
      const src = readFileSync(join(SHADERS, f), 'utf8');
      expect(src, f).not.toMatch(/wid\.x \+ wid\.y \* nwg\.x/);
      expect(src, f).not.toMatch(/const KMAX: u32 = \d/);
    }
  });

  it('foldedId recovers the linear thread id of a grid folded into y', async () => {
    const ctx = gpu();
    const code = `${knnWgsl}
@group(0) @binding(6) var<storage, read_write> ids: array<u32>;
@compute @workgroup_size(4)
fn probe(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
         @builtin(local_invocation_index) lid: u32) {
  let t = foldedId(wid, nwg, 4u, lid);
  if (t < arrayLength(&ids)) { ids[t] = t + 1u; }
}`;
    const pipeline = await ctx.pipelines.compute(code, 'probe', {}, 'probe');
    // 3 × 2 groups of 4 threads: 24 ids, each written once by the thread whose linear id it is.
    await withBuffers(ctx, { ids: new Uint32Array(24) }, async ({ ids }, read) => {
      const bind = bindAt(ctx, pipeline, [[6, ids!]]);
      await submitAndWait(ctx, (enc) => encodePass(enc, pipeline, bind, [3, 2, 1], 'probe'));
      expect([...(await read('ids'))]).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    });
  });
});

describe('WGSL loader: shared parts (// include: parts/x.wgsl)', () => {
  const part = (name: string) => readFileSync(join(SHADERS, 'parts', name), 'utf8');

  it('appends each included part once, parts of parts too, after the file and before the prelude', () => {
    expect(includedParts(readFileSync(join(SHADERS, 'edgeconv.wgsl'), 'utf8'))).toEqual([
      'parts/edgeconv_wcat.wgsl',
      'parts/edgeconv_bn_bindings.wgsl',
      'parts/edgeconv_bn.wgsl',
      'parts/bn_finalize.wgsl',
    ]);
    for (const [code, parts] of [
      [
        edgeconvWgsl,
        ['edgeconv_wcat.wgsl', 'edgeconv_bn_bindings.wgsl', 'edgeconv_bn.wgsl', 'bn_finalize.wgsl'],
      ],
      [batchnormWgsl, ['bn_finalize.wgsl']],
    ] as const) {
      const prelude = code.indexOf('// ---- prelude');
      for (const name of parts) {
        const at = code.indexOf(part(name));
        expect(at, name).toBeGreaterThan(0);
        expect(code.indexOf(part(name), at + 1), `${name} twice`).toBe(-1);
        expect(at).toBeLessThan(prelude);
      }
    }
    expect(batchnormWgsl).not.toContain('fn stats_var');
  });

  it('says which file includes a part that does not exist', () => {
    expect(() => withPrelude('// include: parts/nope.wgsl\n', 'shaders/x.wgsl')).toThrow(
      "shaders/x.wgsl includes shaders/parts/nope.wgsl, which does not exist: fix the '// include:' line",
    );
  });
});

describe('the one check of k (knn-limits.ts)', () => {
  it('accepts 1 ≤ k ≤ min(KNN_MAX_K, points) and names what is wrong otherwise', () => {
    expect(kProblem(1, 1)).toBeUndefined();
    expect(kProblem(DEFAULT_K, 1024)).toBeUndefined();
    expect(kProblem(KNN_MAX_K)).toBeUndefined();
    expect(kProblem(0)).toMatch(/positive integer \(got 0\)/);
    expect(kProblem(2.5)).toMatch(/positive integer/);
    expect(kProblem(KNN_MAX_K + 1)).toMatch(new RegExp(`maximum of ${KNN_MAX_K}`));
    expect(kProblem(21, 20)).toBe('20 points per cloud are fewer than k = 21 neighbours');
    expect(() => validateK(5, 4, 'DGCNN')).toThrow(/^DGCNN: 4 points per cloud are fewer than k = 5/);
    expect(() => validateK(5, 5)).not.toThrow();
  });
});
