import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envNames } from '../../src/config.js';
import { repoRoot, runKx } from '../helpers/cli.js';
import { makeScratchDir } from '../helpers/scratch.js';

const commands = ['ingest', 'resume', 'status', 'serve', 'link', 'unlink', 'migrate'];

/** #19: `--help` tells what a command reads and how it is used, without the README. */
describe('kx <command> --help', () => {
  it.each(commands)('%s: an example, the global options and its environment', async (command) => {
    const r = await runKx([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nExamples:\n {2}(\S+ )*kx /);
    expect(r.stdout).toContain('Global Options:');
    expect(r.stdout).toContain('--database-url <url>');
    expect(r.stdout).toMatch(
      /\nEnvironment \(flags win over them\):\n {2}DATABASE_URL {2,}postgres/,
    );
  });

  it('ingest marks --source required and lists what an ingest reads', async () => {
    const r = await runKx(['ingest', '--help']);
    expect(r.stdout).toMatch(/--source <name> +source to ingest \(required\)/);
    for (const name of ['FAIL_AFTER_N_RECORDS', 'KX_BATCH_SIZE', 'KX_COINGECKO_API_KEY'])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
  });

  it('every variable kx reads is in the help of a command that reads it', async () => {
    const helps = (await Promise.all(commands.map((c) => runKx([c, '--help'])))).map(
      (r) => r.stdout,
    );
    for (const name of envNames())
      expect(
        helps.some((help) => help.includes(`\n  ${name} `)),
        name,
      ).toBe(true);
  });
});

/** #15: the answers that need no database come without loading one, or an HTTP stack. */
describe('kx --version and --help', () => {
  const heavy = [
    'node_modules/drizzle-orm/',
    'node_modules/postgres/',
    'node_modules/@electric-sql/pglite/',
    'node_modules/hono/',
    'node_modules/@hono/',
    'node_modules/ofetch/',
    'node_modules/csv-parse/',
    'node_modules/consola/',
    '/dist/db/',
    '/dist/http/',
    '/dist/engine/runner.js',
  ];

  /** The module URLs `kx <args>` loads (the built binary, through a module hook), and its exit code. */
  async function importsOf(args: string[]): Promise<{ code: unknown; loaded: string }> {
    const dir = makeScratchDir('kx-imports-');
    const trace = join(dir, 'imports.txt');
    try {
      const hook = join(repoRoot, 'test/helpers/trace-imports.mjs');
      const child = spawn(
        process.execPath,
        ['--import', hook, join(repoRoot, 'bin/kx.js'), ...args],
        {
          env: { ...process.env, KX_TRACE_IMPORTS: trace, KX_DATA_DIR: join(dir, 'data') },
          stdio: 'ignore',
        },
      );
      const code: unknown = await new Promise((done) => child.on('exit', done));
      return { code, loaded: readFileSync(trace, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.each([['--version'], ['--help'], ['ingest', '--help']])(
    'kx %s loads no database, HTTP or logging code',
    async (...args) => {
      const { code, loaded } = await importsOf(args);
      expect(code).toBe(0);
      expect(loaded).toContain('/dist/cli/main.js'); // the trace works
      for (const path of heavy) expect(loaded, path).not.toContain(path);
    },
  );

  it('a command that needs the database still loads it', async () => {
    const { code, loaded } = await importsOf(['migrate']);
    expect(code).toBe(0);
    expect(loaded).toContain('node_modules/@electric-sql/pglite/');
  });
});
