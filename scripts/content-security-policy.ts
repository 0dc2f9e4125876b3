/**
 * The page's Content-Security-Policy: scripts, workers and connections from its own origin only
 * (WebAssembly compilation allowed, for h5wasm and onnxruntime-web), so no byte of a dropped
 * folder can leave the machine. index.html and bench.html carry it as a <meta> tag (a static build
 * keeps it); `npm start` and `npm run preview` also send it as a header, which is what covers the
 * engine's worker (a worker does not inherit a page's <meta> policy).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/**
 * The benchmark page's policy (bench.html, bench/browser/vite.config.ts): the page's, plus workers
 * from blob: URLs, which jax-js's Wasm backend starts its threads from (a cross-origin isolated
 * page gives it SharedArrayBuffer). The app itself never needs blob: workers.
 */
export const BENCH_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "worker-src 'self'",
  "worker-src 'self' blob:",
);

const META = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*\/?>/i;
const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/** The policy in an HTML page's meta tag, or undefined. */
export function policyOf(html: string): string | undefined {
  return META.exec(html)?.[1];
}

/** `policy` with the sha256 of each of `html`'s inline scripts added to script-src. */
export function withInlineHashes(policy: string, html: string): string {
  const hashes = [...html.matchAll(INLINE_SCRIPT)]
    .map((m) => m[1]!)
    .filter((s) => s.trim() !== '')
    .map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
  if (hashes.length === 0) return policy;
  return policy.replace(/script-src([^;]*)/, (_, rest: string) => `script-src${rest} ${hashes.join(' ')}`);
}

/**
 * Vite's dev server injects an inline module script (React refresh's preamble) into the page. This
 * plugin adds the hash of every inline script of the page as served to its meta tag, and sends the
 * same policy as a header on every dev-server response, so dev keeps `script-src 'self'` rather
 * than allowing inline scripts. A build has no inline script: its meta tag is index.html's.
 */
export function devContentSecurityPolicy(): Plugin {
  let served = CONTENT_SECURITY_POLICY;
  return {
    name: 'crosspoint-dev-content-security-policy',
    apply: 'serve',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const policy = policyOf(html);
        if (policy === undefined) return html;
        served = withInlineHashes(policy, html);
        return html.replace(META, `<meta http-equiv="Content-Security-Policy" content="${served}" />`);
      },
    },
    configureServer(server) {
      let ready: Promise<unknown> | undefined;
      server.middlewares.use((_req, res, next) => {
        // The first response waits until the page has been transformed once (the hashes are known).
        ready ??= server
          .transformIndexHtml('/index.html', readFileSync(join(server.config.root, 'index.html'), 'utf8'))
          .catch(() => undefined);
        void ready.then(() => {
          res.setHeader('Content-Security-Policy', served);
          next();
        });
      });
    },
  };
}
