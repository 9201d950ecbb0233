import { describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../src/config.js';
import { runKx } from '../helpers/cli.js';

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
    for (const name of Object.values(ENV_NAMES))
      expect(
        helps.some((help) => help.includes(`\n  ${name} `)),
        name,
      ).toBe(true);
  });
});
