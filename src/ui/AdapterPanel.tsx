import { adapterName } from '../gpu/adapter-info';
import { formatBytes } from '../gpu/errors';
import { useApp } from './store';

/** The adapter the engine runs on, its key limits, and the kernel self-test (compact, in the side rail). */
export function AdapterPanel() {
  const engine = useApp((s) => s.engine);
  const selfTest = useApp((s) => s.selfTest);
  if (engine.kind !== 'ready') return null;
  const { adapter } = engine;
  const l = adapter.limits;
  return (
    <section aria-label="Engine" className="engine-card">
      <h2>Engine</h2>
      <p className="engine-name">
        Web Worker on <strong data-testid="adapter-name">{adapterName(adapter)}</strong>
      </p>
      {adapter.isFallbackAdapter && (
        <p className="muted-sm">A software (CPU) adapter: expect small sizes to be slow.</p>
      )}
      <dl className="facts compact">
        <dt>Vendor</dt>
        <dd data-testid="adapter-vendor">{adapter.vendor || '—'}</dd>
        <dt>Architecture</dt>
        <dd>{adapter.architecture || '—'}</dd>
        <dt>Storage binding</dt>
        <dd>{formatBytes(l.maxStorageBufferBindingSize)}</dd>
        <dt>Workgroup memory</dt>
        <dd>{formatBytes(l.maxComputeWorkgroupStorageSize)}</dd>
        <dt>Invocations / workgroup</dt>
        <dd>{l.maxComputeInvocationsPerWorkgroup}</dd>
        <dt>Timestamps</dt>
        <dd>{engine.hasTimestamps ? 'yes' : 'no (wall clock)'}</dd>
        <dt>Kernels</dt>
        <dd data-testid="kernel-variants">{engine.kernels ?? '—'}</dd>
      </dl>
      <p data-testid="selftest" className="muted-sm" aria-live="polite">
        {!selfTest
          ? 'Kernel self-test: running…'
          : `Kernel self-test (${selfTest.kernel}, n = ${selfTest.n}): ${selfTest.ok ? 'passed' : 'FAILED'}, ` +
            `max |error| ${selfTest.maxAbsErr.toExponential(1)}; first outputs ` +
            selfTest.head.map((v) => v.toFixed(6)).join(', ')}
      </p>
    </section>
  );
}
