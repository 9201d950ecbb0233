import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { entries, sourceNames } from '../sources/index.js';
import type { ExportKind, ExportOptions } from './commands/export.js';
import type { IngestOptions } from './commands/ingest.js';
import type { Context } from './context.js';
import { environmentHelp } from './env-help.js';
import type { Io } from './io.js';
import {
  formatDryRun,
  formatRun,
  formatStatus,
  formatStatusTable,
  printJson,
  printLine,
} from './format.js';
import { kxVersion as version } from '../core/version.js';

/**
 * Every command kx has, as commander declares it: options, help, examples. Each action
 * imports its command when it runs, so `kx --help` loads no command, database or HTTP code.
 */

/** `output.json` is set by a command that was asked for `--json`, so failures print JSON too. */
export function createProgram(output: { json: boolean }, io: Io): Command {
  const program = new Command('kx')
    .description(
      'ETL for crypto market data: CoinGecko, CoinPaprika and CSV files into one PostgreSQL schema, exactly once.',
    )
    .version(version, '-v, --version')
    .option(
      '--database-url <url>',
      'PostgreSQL server URL (default: $DATABASE_URL; unset = embedded PGlite)',
    )
    .option('--data-dir <dir>', 'embedded database directory (default: $KX_DATA_DIR or ./.kx)')
    .addOption(
      new Option('--log-level <level>', 'log verbosity').choices([
        'silent',
        'error',
        'warn',
        'info',
        'debug',
      ]),
    )
    .addOption(
      new Option('--log-format <format>', 'log format on stderr').choices(['pretty', 'json']),
    )
    .option(
      '--lock-wait <time>',
      'wait up to TIME (30s, 5m, 1h) for another kx holding the embedded database or the ' +
        "source's run, instead of exit 6 (default: $KX_LOCK_WAIT or 0)",
    )
    .exitOverride()
    // Under `kx ingest --help` too: --database-url, --data-dir, --log-level, --log-format, ….
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run `kx --help` for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 internal error, 2 usage or configuration, 3 upstream failure,\n' +
        '4 input data, 5 injected failure, 6 locked, 7 call budget, 8 database unavailable,\n' +
        '130/143 stopped by SIGINT/SIGTERM. After 1, 3, 5, 7, 8, 130 or 143, `kx resume` continues the run.\n',
    );
  // Imported when a command runs: `kx --version` and `--help` load no database code.
  const context = async (command: Command): Promise<Context> => {
    output.json = command.opts<{ json?: boolean }>().json === true;
    const { createContext } = await import('./context.js');
    return createContext(command.optsWithGlobals(), io);
  };

  const wiring: Wiring = { io, context };
  const onceHints = addIngest(program, wiring);
  addResume(program, wiring);
  addStatus(program, wiring);
  addServe(program, wiring);
  addExport(program, wiring);
  addLink(program, wiring);
  addUnlink(program, wiring);
  addMigrate(program, wiring);

  for (const command of program.commands)
    command.addHelpText('after', environmentHelp(command.name()));
  refuseRepeats(program, onceHints);
  return program;
}

/** What each command's action is given: where it writes, and how it opens its context. */
interface Wiring {
  io: Io;
  context: (command: Command) => Promise<Context>;
}

/**
 * `kx ingest`, with each source's own options from the registry. Returns the hints of the
 * options a run takes once (`--file`), for `refuseRepeats`.
 */
function addIngest(program: Command, { io, context }: Wiring): Map<string, string> {
  const ingestCommand = program
    .command('ingest')
    .description('load a source: land raw payloads, validate, unify, record the run')
    .addOption(
      new Option('--source <name>', 'source to ingest (required)')
        .choices(sourceNames)
        .makeOptionMandatory(),
    );
  // Each source's own options, from the registry: `--file` … for csv, `--max-pages` for coingecko.
  const onceHints = new Map<string, string>();
  for (const entry of entries)
    for (const flag of entry.flags) {
      const option = new Option(flag.flags, `${flag.help} (--source ${entry.name})`);
      if (flag.once) onceHints.set(option.long ?? flag.flags, flag.once);
      if (flag.repeatable) option.argParser(collect).default([]);
      if (flag.positiveInteger) option.argParser(toPositiveInt);
      ingestCommand.addOption(option);
    }
  ingestCommand
    .option(
      '--full-refresh',
      'ignore the checkpoint and read everything again (unchanged records are still skipped)',
    )
    .option('--dry-run', 'read, map and validate without writing anything')
    .option('--json', 'print the result as one JSON document')
    .addHelpText(
      'after',
      `
Examples:
  kx ingest --source csv --file fixtures/sample.csv
  kx ingest --source csv --file btc.csv --symbol BTC --map 'snapped_at=observed_at'
  kx ingest --source coingecko --max-pages 2          # top 500 coins by market cap
  kx ingest --source coinpaprika --json
  FAIL_AFTER_N_RECORDS=120 kx ingest --source csv --file fixtures/sample.csv   # rehearse a crash (exit 5)
  kx resume
`,
    )
    .action(async (options: IngestOptions & { json?: boolean }, command: Command) => {
      const { ingest } = await import('./commands/ingest.js');
      const result = await ingest(await context(command), options);
      if (options.json) printJson(io.stdout, result);
      else if ('dryRun' in result) printLine(io.stdout, formatDryRun(result));
      else printLine(io.stdout, formatRun(result));
    });
  return onceHints;
}

/** `kx resume`: each source's failed or abandoned run, from its checkpoint. */
function addResume(program: Command, { io, context }: Wiring): void {
  program
    .command('resume')
    .description("continue each source's failed or abandoned run from its checkpoint")
    .addOption(new Option('--source <name>', 'only this source').choices(sourceNames))
    .option('--json', 'print the results as one JSON document')
    .addHelpText(
      'after',
      `
Examples:
  kx resume                      # every source; "nothing to resume" exits 0
  kx resume --source coinpaprika --json
`,
    )
    .action(async (options: { source?: string; json?: boolean }, command: Command) => {
      const { resume } = await import('./commands/resume.js');
      const { results, blocked } = await resume(await context(command), options);
      // A run left to another kx process is exit 6, printed after the runs resumed (with
      // --json one document: the error, naming what was left, and the runs, `resumed`).
      if (blocked) throw blocked;
      if (options.json) printJson(io.stdout, results);
      else if (results.length === 0) printLine(io.stdout, 'nothing to resume');
      else results.forEach((r) => printLine(io.stdout, formatRun(r)));
    });
}

/** `kx status`: where every source stands, as a table on a terminal. */
function addStatus(program: Command, { io, context }: Wiring): void {
  program
    .command('status')
    .description('where every source stands: runs, checkpoints, database in use')
    .addOption(new Option('--source <name>', 'only this source').choices(sourceNames))
    .option('--json', 'print the status as one JSON document')
    .addHelpText(
      'after',
      `
Examples:
  kx status
  kx status --source csv --json | jq '.sources[0].last_run.status'
`,
    )
    .action(async (options: { source?: string; json?: boolean }, command: Command) => {
      const { status } = await import('./commands/status.js');
      const result = await status(await context(command), options);
      if (options.json) printJson(io.stdout, result);
      else if (io.stdout.isTTY)
        printLine(
          io.stdout,
          formatStatusTable(result, {
            color: !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb',
          }),
        );
      else printLine(io.stdout, formatStatus(result));
    });
}

/** `kx serve`: the HTTP API, and ingests on a schedule. */
function addServe(program: Command, { context }: Wiring): void {
  program
    .command('serve')
    .description(
      'serve the HTTP API over the unified data (/data, /assets/:id, /health, /stats, /runs, /metrics, /docs)',
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', toPort, 8000)
    .option('--allow-unauthenticated', 'allow a non-loopback bind without KX_API_TOKEN')
    .option(
      '--schedule <spec>',
      'run ingests in the server on intervals, e.g. "coinpaprika=10m,coingecko=30m" (s, m, h); ' +
        'a run of the source elsewhere (a replica, cron) within the interval counts',
    )
    .addHelpText(
      'after',
      `
Examples:
  kx serve                                   # http://127.0.0.1:8000/docs
  KX_API_TOKEN=secret kx serve --host 0.0.0.0 --port 8080
  kx serve --schedule "coinpaprika=10m,coingecko=30m"   # an API that keeps itself fresh
  curl -s 'http://127.0.0.1:8000/data?symbol=btc&sort=-market_cap_usd&limit=5'
`,
    )
    .action(
      async (
        options: { host: string; port: number; allowUnauthenticated?: boolean; schedule?: string },
        command: Command,
      ) => {
        const { serveApi } = await import('./commands/serve.js');
        await serveApi(await context(command), options);
      },
    );
}

/** `kx export`: rows to stdout, streamed. */
function addExport(program: Command, { context }: Wiring): void {
  program
    .command('export')
    .description('write every matching row to stdout as CSV, NDJSON or JSON, streamed')
    .addArgument(
      new Argument(
        '<what>',
        "quotes (a coin's history), listings, assets, or rejected (the records runs rejected, and why)",
      ).choices(['quotes', 'listings', 'assets', 'rejected']),
    )
    .option('--asset <id|symbol>', 'the coin: its asset id, or a symbol exactly one asset has')
    .option('--run <id>', "rejected: this run's records only (default: every run's)", toRunId)
    .option(
      '--source <name>',
      `only this source (quotes: several, comma-separated, and ${'`consensus`'} with an interval)`,
    )
    .option('--from <time>', 'quotes from this time, ISO 8601 (default: 30 days before --to)')
    .option('--to <time>', 'quotes until this time, exclusive (default: now)')
    .addOption(
      new Option(
        '--interval <interval>',
        'quotes: raw observations (default) or per UTC hour, day or week',
      ).choices(['raw', '1h', '1d', '1w']),
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['csv', 'ndjson', 'json'])
        .default('csv'),
    )
    .addHelpText(
      'after',
      `
Examples:
  kx export quotes --asset BTC --from 2025-01-01 --interval 1d > btc-daily.csv
  kx export quotes --asset 1 --interval 1d --source coingecko,coinpaprika,consensus
  kx export assets --format ndjson | jq .price_usd
  kx export listings --source csv --format json
  kx export rejected --run 12 > rejected.csv             # every line run #12 rejected, and why
`,
    )
    .action(async (what: ExportKind, options: ExportOptions, command: Command) => {
      const { exportData } = await import('./commands/export.js');
      await exportData(await context(command), what, options);
    });
}

/** `kx link`: a listing pinned to an asset. */
function addLink(program: Command, { io, context }: Wiring): void {
  program
    .command('link')
    .description(
      'pin a source listing to an asset; wins over every identity rule and survives re-ingests',
    )
    .argument('<listing>', 'the listing as <source>:<id>, for example coinpaprika:btc-bitcoin')
    .argument('<asset-id>', 'the asset to link it to (asset_id in GET /data)')
    .option('--json', 'print the result as one JSON document')
    .addHelpText(
      'after',
      '\nExamples:\n  kx link csv:staked-ether 2\n  kx unlink coinpaprika:btc-bitcoin\n',
    )
    .action(
      async (listing: string, assetId: string, options: { json?: boolean }, command: Command) => {
        const { link } = await import('./commands/link.js');
        const result = await link(await context(command), listing, assetId);
        if (options.json) printJson(io.stdout, result);
        else
          printLine(
            io.stdout,
            `${result.source}:${result.sourceId} linked to asset ${result.assetId} (was ${result.previousAssetId})`,
          );
      },
    );
}

/** `kx unlink`: a listing on an asset of its own. */
function addUnlink(program: Command, { io, context }: Wiring): void {
  program
    .command('unlink')
    .description('detach a source listing onto an asset of its own, pinned there')
    .argument('<listing>', 'the listing as <source>:<id>')
    .option('--json', 'print the result as one JSON document')
    .addHelpText(
      'after',
      '\nExamples:\n  kx unlink coinpaprika:weth-weth   # a wrapped token merged into its coin\n',
    )
    .action(async (listing: string, options: { json?: boolean }, command: Command) => {
      const { unlink } = await import('./commands/link.js');
      const result = await unlink(await context(command), listing);
      if (options.json) printJson(io.stdout, result);
      else
        printLine(
          io.stdout,
          `${result.source}:${result.sourceId} now on its own asset ${result.assetId} (was ${result.previousAssetId})`,
        );
    });
}

/** `kx migrate`: pending migrations applied. */
function addMigrate(program: Command, { io, context }: Wiring): void {
  program
    .command('migrate')
    .description('apply pending database migrations (other commands do this too)')
    .option('--json', 'print the result as one JSON document')
    .addHelpText('after', '\nExamples:\n  DATABASE_URL=postgres://user:pass@db/kx kx migrate\n')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { migrate } = await import('./commands/migrate.js');
      const location = await migrate(await context(command));
      if (options.json) printJson(io.stdout, { migrated: true, database: location });
      else printLine(io.stdout, 'database is up to date');
    });
}

/**
 * An option that takes one value, given twice (`--file a.csv --file b.csv`): commander keeps
 * the last and drops the first without a word, so a script that meant to load two files would
 * load one. Refused as a usage error instead; `--map` and the other repeatable ones collect.
 */
function refuseRepeats(program: Command, hints: ReadonlyMap<string, string>): void {
  const given = new Set<string>();
  for (const command of [program, ...program.commands])
    for (const option of command.options) {
      const parse = option.parseArg;
      if (!option.required || parse === collect) continue;
      option.argParser((value: string, previous: unknown) => {
        const name = option.long ?? option.short ?? option.flags;
        if (given.has(name))
          throw new InvalidArgumentError(
            `${name} is given more than once; give it once` +
              (hints.has(name) ? ` (${hints.get(name)})` : ''),
          );
        given.add(name);
        return parse ? parse(value, previous) : value;
      });
    }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function toPositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');
  return Number(value);
}

function toRunId(value: string): number {
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a run id (a whole number of at least 1)');
  return Number(value);
}

function toPort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('expected a port number (0-65535)');
  return Number(value);
}
