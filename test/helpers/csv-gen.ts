import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sample = fileURLToPath(new URL('../../fixtures/sample.csv', import.meta.url));

/**
 * A deterministic snapshot CSV of `rows` listings built from the real rows of
 * fixtures/sample.csv (their symbols, names and number shapes), with distinct ids. Every
 * `badEvery`-th row carries an unparseable price so rejection paths run too.
 */
export function makeSnapshotCsv(
  rows: number,
  options: { badEvery?: number; startAt?: number } = {},
): string {
  const [header, ...lines] = readFileSync(sample, 'utf8').trim().split('\n');
  const out = options.startAt ? [] : [header];
  const from = options.startAt ?? 0;
  for (let i = from; i < from + rows; i++) {
    const cells = lines[i % lines.length]!.split(',');
    cells[0] = `${cells[0]}-${i}`; // id: unique per row
    cells[2] = `${cells[2]} ${i}`; // name: unique per row
    if (options.badEvery && i % options.badEvery === options.badEvery - 1) cells[4] = 'not-a-price';
    out.push(cells.join(','));
  }
  return `${out.join('\n')}\n`;
}

export function writeSnapshotCsv(
  path: string,
  rows: number,
  options: { badEvery?: number } = {},
): void {
  writeFileSync(path, makeSnapshotCsv(rows, options));
}
