import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { parseArgs } from './args';
import { UsageError } from './errors';

describe('crosspoint command line', () => {
  it('info prints the adapter and limits as JSON', () => {
    const r = crosspoint(['info']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.host).toBe('node');
    expect(typeof info.adapter.vendor).toBe('string');
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(info.limits.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(16384);
    expect(Array.isArray(info.features)).toBe(true);
  });

  it('info prints the kernel variants the probe chose: timed once per adapter, then from the cache file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crosspoint-variants-'));
    const saved = process.env.CROSSPOINT_CACHE_DIR;
    process.env.CROSSPOINT_CACHE_DIR = dir;
    try {
      const first = crosspoint(['info'], { timeoutMs: 300_000 });
      expect(first.code, first.stderr).toBe(0);
      const k = JSON.parse(first.stdout).kernelVariants;
      expect(k.cached).toBe(false);
      expect(['direct', 'tiled']).toContain(k.conv2d);
      expect(k.timings.matmul.map((t: { name: string }) => t.name)).toContain(k.matmul);
      expect(first.stderr).toMatch(/^probing kernel variants for .+: matmul\.\.\.$/m);
      expect(k.cacheFile).toBe(join(dir, 'kernel-variants.json'));
      const second = crosspoint(['info']);
      const again = JSON.parse(second.stdout).kernelVariants;
      expect(again.cached).toBe(true);
      expect([again.matmul, again.conv2d]).toEqual([k.matmul, k.conv2d]);
      expect(second.stderr).toContain(`kernel variants: matmul ${k.matmul}, conv2d ${k.conv2d} (cached)`);
    } finally {
      if (saved === undefined) delete process.env.CROSSPOINT_CACHE_DIR;
      else process.env.CROSSPOINT_CACHE_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);

  it('info --check runs the kernel self-test', () => {
    const info = JSON.parse(crosspoint(['info', '--check']).stdout);
    expect(info.selfTest.ok).toBe(true);
    expect(info.selfTest.maxAbsErr).toBeLessThanOrEqual(1e-6);
  });

  it('an unknown command exits 2 with a one-line message and the usage', () => {
    const r = crosspoint(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('crosspoint: unknown command "frobnicate"');
    expect(r.stderr).toContain('usage: crosspoint <command>');
    expect(r.stdout).toBe('');
  });

  it('a bad flag exits 2 with a one-line message and the command usage', () => {
    const r = crosspoint(['info', '--nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('crosspoint info: unknown flag --nope');
    expect(r.stderr).toContain('usage: crosspoint info');
  });

  it('no arguments prints usage and exits 2', () => {
    const r = crosspoint([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('commands:');
  });
});

describe('parseArgs', () => {
  const spec = {
    k: { type: 'int', default: 20, help: 'neighbours', min: 1 },
    out: { type: 'string', help: 'output' },
    mode: { type: 'string', choices: ['eval', 'train'], default: 'eval', help: 'mode' },
    lr: { type: 'number', help: 'learning rate' },
    verbose: { type: 'boolean', help: 'talk' },
  } as const;

  it('parses values, defaults, = forms and booleans', () => {
    const p = parseArgs(['--k', '5', '--out=x/y', '--lr', '1e-3', '--verbose', 'pos'], spec, 1);
    expect(p.flags).toEqual({ k: 5, out: 'x/y', mode: 'eval', lr: 0.001, verbose: true });
    expect(p.positionals).toEqual(['pos']);
  });

  it.each([
    [['--k', 'x'], '--k needs an integer'],
    [['--k', '0'], '--k must be at least 1'],
    [['--mode', 'fast'], '--mode must be one of eval, train'],
    [['--out'], '--out needs a value'],
    [['--lr', 'abc'], '--lr needs a number'],
    [['--verbose=1'], '--verbose takes no value'],
    [['extra'], 'unexpected argument "extra"'],
  ])('rejects %j', (argv, msg) => {
    expect(() => parseArgs(argv, spec)).toThrow(UsageError);
    expect(() => parseArgs(argv, spec)).toThrow(msg);
  });
});
