import { useApp } from '../store';

/** The dataset the results on a panel come from: its name and counts (the generated set or a folder). */
export function DatasetTag() {
  const dataset = useApp((s) => s.dataset);
  if (dataset.kind !== 'done') return null;
  const { summary, objects } = dataset.value;
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  return (
    <p className="muted-sm dataset-tag" data-testid="dataset-tag">
      Data: {summary.name} — {objects.length} objects in {summary.classes.length} classes (
      {sum(summary.trainCounts)} train, {sum(summary.testCounts)} test).
    </p>
  );
}
