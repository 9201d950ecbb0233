import { createConsola, LogLevels, type ConsolaInstance, type LogObject } from 'consola';
import type { Output } from './cli/io.js';
import type { Config } from './config.js';

export type Logger = ConsolaInstance;

/** One root logger per command, on stderr (stdout carries data); `--log-format json` for machines. */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat' | 'color' | 'icons'>,
  stderr: Output,
): Logger {
  const level = LogLevels[config.logLevel];
  if (config.logFormat === 'json') {
    return createConsola({
      level,
      reporters: [{ log: (entry) => stderr.write(toJsonLine(entry)) }],
    });
  }
  // Chosen from the command's own environment: consola would read the process's.
  return createConsola({
    level,
    fancy: config.icons,
    stdout: stderr as NodeJS.WriteStream,
    stderr: stderr as NodeJS.WriteStream,
    formatOptions: { colors: config.color, date: false },
  });
}

function toJsonLine(entry: LogObject): string {
  const [message, ...rest] = entry.args as unknown[];
  const line: Record<string, unknown> = {
    time: entry.date.toISOString(),
    level: entry.type,
    message: typeof message === 'string' ? message : JSON.stringify(message),
  };
  if (entry.tag) line.tag = entry.tag;
  if (rest.length > 0) line.data = rest.length === 1 ? rest[0] : rest;
  return `${JSON.stringify(line)}\n`;
}
