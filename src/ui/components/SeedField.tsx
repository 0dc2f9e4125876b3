import { useApp } from '../store';

/** The run's seed, shared by the Data and Training panels (it lives in the URL). */
export function SeedField() {
  const seed = useApp((s) => s.url.seed);
  return (
    <label>
      Seed
      <input
        type="number"
        min={0}
        step={1}
        value={seed}
        onChange={(e) =>
          useApp.getState().setUrl({ seed: Math.max(0, Math.floor(Number(e.target.value) || 0)) })
        }
      />
    </label>
  );
}
