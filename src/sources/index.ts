import type { Source } from '../core/source.js';
import type { ApiSettings } from './shared/api.js';
import { createCoingeckoSource } from './coingecko/index.js';
import { createCoinpaprikaSource } from './coinpaprika/index.js';
import { csvSource } from './csv/index.js';

/** Every source kx knows; `--source` choices come from here. Adding a source is one line. */
const factories = {
  coingecko: createCoingeckoSource,
  coinpaprika: createCoinpaprikaSource,
  csv: () => csvSource,
} satisfies Record<string, (settings: ApiSettings) => unknown>;

export type SourceName = keyof typeof factories;
export const sourceNames = Object.keys(factories) as SourceName[];

export type Sources = Record<SourceName, Source<unknown, unknown>>;

export function createSources(settings: ApiSettings): Sources {
  const entries = sourceNames.map((name) => [
    name,
    factories[name](settings) as Source<unknown, unknown>,
  ]);
  return Object.fromEntries(entries) as Sources;
}

export type { ApiSettings };
