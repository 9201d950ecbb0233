import type { Source } from '../core/source.js';
import { csvSource } from './csv.js';

/** Every source kx knows; `--source` choices come from here. Adding a source is one line. */
export const sources: Record<string, Source<unknown, unknown>> = {
  csv: csvSource,
};

export const sourceNames = Object.keys(sources);
