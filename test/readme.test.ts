import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runKx } from './helpers/cli.js';

/**
 * The README and docs/ document only what exists: every `kx` command line in them names a
 * real command, every flag it uses is one that command (or kx itself) accepts, and every
 * link to a file of the repository leads to one.
 */
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const docs = readdirSync(join(repoRoot, 'docs')).map((f) => `docs/${f}`);
const pages = new Map(
  ['README.md', ...docs.filter((d) => d.endsWith('.md'))].map((p) => [
    p,
    readFileSync(join(repoRoot, p), 'utf8'),
  ]),
);
const blocks = [...pages.values()].flatMap((text) =>
  [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!),
);
const commands = blocks
  .flatMap((block) => block.split('\n'))
  .flatMap((line) =>
    [...line.matchAll(/(?:^|[\s;&|(])(?:npx )?kx ([a-z]+)((?: [^#;&|]*)?)/g)].map((m) => ({
      command: m[1]!,
      rest: m[2] ?? '',
    })),
  )
  .filter((c) => c.command !== 'api'); // "kx API" in prose
const byCommand = new Map<string, Set<string>>();
for (const { command, rest } of commands) {
  const flags = byCommand.get(command) ?? new Set<string>();
  for (const flag of rest.match(/--[a-z-]+/g) ?? []) flags.add(flag);
  byCommand.set(command, flags);
}

describe('README', () => {
  it('shows the quick start and the test command', () => {
    expect(readme).toContain('npm ci && npx kx ingest --source csv --file fixtures/sample.csv');
    expect(readme).toContain('npm test');
    expect([...byCommand.keys()].sort()).toEqual([
      'export',
      'ingest',
      'link',
      'migrate',
      'resume',
      'serve',
      'status',
      'unlink',
    ]);
  });

  it('stays short and links every page of docs/, and every link leads somewhere', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    for (const doc of docs.filter((d) => d.endsWith('.md')))
      expect(readme, doc).toContain(`](${doc})`);
    // A picture in docs/ is shown by some page.
    const all = [...pages.values()].join('\n');
    for (const image of docs.filter((d) => d.endsWith('.png')))
      expect(all, image).toMatch(
        new RegExp(`\\]\\((docs/)?${image.slice(5).replace('.', '\\.')}\\)`),
      );
    for (const [page, text] of pages) {
      for (const [, target] of text.matchAll(/\]\(((?!https?:|#)[^)#\s]+)/g)) {
        expect(existsSync(join(repoRoot, dirname(page), target!)), `${page} → ${target}`).toBe(
          true,
        );
      }
    }
  });

  it.each([...byCommand.keys()])(
    'kx %s exists and accepts every flag the README gives it',
    async (command) => {
      const help = await runKx([command, '--help']);
      expect(help.code, help.stderr).toBe(0);
      const global = (await runKx(['--help'])).stdout;
      for (const flag of byCommand.get(command)!) {
        expect(`${help.stdout}\n${global}`, `${command} ${flag}`).toContain(flag);
      }
    },
  );
});
