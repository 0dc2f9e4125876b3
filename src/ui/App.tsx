import { useEffect } from 'react';
import { AdapterPanel } from './AdapterPanel';
import { useApp } from './store';

export function App() {
  const engine = useApp((s) => s.engine);
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismissNotice);
  useEffect(() => {
    void useApp.getState().start();
  }, []);

  return (
    <div className="app">
      <header className="top">
        <h1>CrossPoint Playground</h1>
        <p className="tagline">
          Cross-modal contrastive pretraining of point clouds, on your GPU, in this tab.
        </p>
      </header>
      {notices.map((n) => (
        <div key={n.id} role="alert" className="notice">
          {n.text}{' '}
          <button type="button" onClick={() => dismiss(n.id)}>
            Dismiss
          </button>
        </div>
      ))}
      <main>
        {engine.kind === 'starting' && <p aria-busy="true">Starting the WebGPU engine…</p>}
        {engine.kind === 'unavailable' && (
          <section role="alert" aria-label="WebGPU unavailable" className="panel unavailable">
            <h2>WebGPU is not available</h2>
            <p>{engine.reason}</p>
            <p>{engine.advice}</p>
          </section>
        )}
        {engine.kind === 'failed' && (
          <section role="alert" aria-label="Engine failed" className="panel unavailable">
            <h2>The engine could not start</h2>
            <p>{engine.message}</p>
            <p>Reload the page; if this persists, update the browser or its graphics driver.</p>
          </section>
        )}
        <AdapterPanel />
      </main>
    </div>
  );
}
