import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BENCH_CONTENT_SECURITY_POLICY,
  CONTENT_SECURITY_POLICY,
  policyOf,
  withInlineHashes,
} from '../scripts/content-security-policy';

const root = join(import.meta.dirname, '..');

describe('Content-Security-Policy', () => {
  it('index.html and bench.html carry the same policy the servers send', () => {
    expect(policyOf(readFileSync(join(root, 'index.html'), 'utf8'))).toBe(CONTENT_SECURITY_POLICY);
    expect(policyOf(readFileSync(join(root, 'bench.html'), 'utf8'))).toBe(BENCH_CONTENT_SECURITY_POLICY);
  });

  it("the benchmark page's policy adds only blob: workers (jax-js's Wasm threads)", () => {
    expect(BENCH_CONTENT_SECURITY_POLICY).not.toBe(CONTENT_SECURITY_POLICY);
    expect(BENCH_CONTENT_SECURITY_POLICY.replace("worker-src 'self' blob:", "worker-src 'self'")).toBe(
      CONTENT_SECURITY_POLICY,
    );
  });

  it('allows scripts, workers and connections from the own origin only, and WebAssembly', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives.get('worker-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
  });

  it("adds the sha256 of each inline script (Vite's dev preamble) to script-src only", () => {
    // sha256("alert(1)") in base64, computed with `printf 'alert(1)' | openssl dgst -sha256 -binary | base64`
    const html = '<head><script type="module">alert(1)</script><script src="/x.js"></script></head>';
    const out = withInlineHashes("script-src 'self'; connect-src 'self'", html);
    expect(out).toBe(
      "script-src 'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='; connect-src 'self'",
    );
    expect(withInlineHashes("script-src 'self'", '<script src="/a.js"></script>')).toBe("script-src 'self'");
  });
});
