import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// README.md's "Layout" block names every top-level folder and every folder of src/, and nothing else.
function layoutEntries(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Layout'));
  const block = section.slice(
    section.indexOf('```\n') + 4,
    section.indexOf('\n```', section.indexOf('```\n') + 4),
  );
  return block
    .split('\n')
    .map((line) => line.split(/\s+/)[0]!)
    .filter((name) => name.endsWith('/'));
}

function trackedFolders(): string[] {
  const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' }).trim().split('\n');
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split('/');
    if (parts.length > 1) dirs.add(`${parts[0]}/`);
    if (parts[0] === 'src' && parts.length > 2) dirs.add(`src/${parts[1]}/`);
  }
  dirs.delete('src/');
  return [...dirs].sort();
}

describe('README layout', () => {
  it('lists exactly the folders in the tree', () => {
    const listed = layoutEntries();
    expect(listed.length).toBeGreaterThan(10);
    expect([...listed].sort()).toEqual(trackedFolders());
  });
});
