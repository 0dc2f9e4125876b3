import { useEffect, useState } from 'react';
import { AdapterPanel } from './AdapterPanel';
import { ResumeBanner } from './components/ResumeBanner';
import { ClassifyPanel } from './panels/ClassifyPanel';
import { DataPanel } from './panels/DataPanel';
import { EmbeddingsPanel } from './panels/EmbeddingsPanel';
import { FewShotPanel } from './panels/FewShotPanel';
import { PartsPanel } from './panels/PartsPanel';
import { SimilarityPanel } from './panels/SimilarityPanel';
import { TrainingPanel } from './panels/TrainingPanel';
import { StatusBar } from './StatusBar';
import { openPanel, useApp } from './store';
import { PANEL_TITLES, PANELS, type PanelId, unknownPanelNotice } from './url-state';

const PANEL_BLURBS: Record<PanelId, string> = {
  data: 'shapes and their views',
  training: 'run, curves, checkpoints',
  embeddings: 'both spaces in 2-D',
  similarity: 'points × images',
  fewshot: 'N-way K-shot',
  classify: 'drop a .ply',
  parts: 'part segmentation',
};

// Read once, before the store rewrites the URL with the panel it fell back to.
const PANEL_NOTICE = typeof location === 'undefined' ? undefined : unknownPanelNotice(location.search);

export function App() {
  const [panelNotice, setPanelNotice] = useState(PANEL_NOTICE);
  const engine = useApp((s) => s.engine);
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismissNotice);
  const panel = useApp((s) => s.url.panel);
  useEffect(() => {
    void useApp.getState().start();
  }, []);

  return (
    <div className="app">
      <header className="top">
        <div className="brand">
          <h1>CrossPoint Playground</h1>
          <p className="tagline">
            Cross-modal contrastive pretraining of point clouds, on your GPU, in this tab.
          </p>
        </div>
        {engine.kind === 'ready' && <StatusBar />}
      </header>
      {panelNotice && (
        <div role="status" aria-label="Unknown panel" className="notice">
          {panelNotice}{' '}
          <button type="button" onClick={() => setPanelNotice(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {notices.map((n) => (
        <div key={n.id} role="alert" className="notice">
          {n.text}{' '}
          <button type="button" onClick={() => dismiss(n.id)}>
            Dismiss
          </button>
        </div>
      ))}
      {engine.kind === 'starting' && (
        <p className="starting" aria-busy="true">
          Starting the WebGPU engine…
        </p>
      )}
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
      {engine.kind === 'ready' && <ResumeBanner />}
      {engine.kind === 'ready' && (
        <div className="workspace">
          <aside className="rail">
            <nav aria-label="Panels">
              <ul>
                {PANELS.map((p) => (
                  <li key={p}>
                    <button
                      type="button"
                      className="nav-item"
                      aria-current={p === panel ? 'page' : undefined}
                      onClick={() => openPanel(p)}
                    >
                      <span className="nav-title">{PANEL_TITLES[p]}</span>
                      <span className="nav-blurb">{PANEL_BLURBS[p]}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </nav>
            <AdapterPanel />
          </aside>
          <main className="stage">
            {panel === 'data' && <DataPanel />}
            {panel === 'training' && <TrainingPanel />}
            {panel === 'embeddings' && <EmbeddingsPanel />}
            {panel === 'similarity' && <SimilarityPanel />}
            {panel === 'fewshot' && <FewShotPanel />}
            {panel === 'classify' && <ClassifyPanel />}
            {panel === 'parts' && <PartsPanel />}
          </main>
        </div>
      )}
    </div>
  );
}
