import {
  identityPolicyOf,
  type IdentityPolicy,
  type SharedSettings,
  type Source,
  type SourceEntry,
} from '../core/source.js';
import { coingecko } from './coingecko/index.js';
import { coinpaprika } from './coinpaprika/index.js';
import { csv } from './csv/index.js';

/**
 * Every source kx knows, the only list of them: `--source` choices, the settings config
 * reads, `--help`, call budgets, `kx status`, `/stats`, the schedule and identity's roles come
 * from here.
 * Adding a source is a folder and a line.
 */
export const registry = [coingecko, coinpaprika, csv] as const;

export type SourceName = (typeof registry)[number]['name'];
export const sourceNames = registry.map<SourceName>((entry) => entry.name);

/** The registry's entries, their settings left untyped: what config and --help walk. */
export const entries = registry as readonly SourceEntry<Record<string, unknown>>[];

/** What identity is told of every source: the catalogues, most trusted first. */
export const identityPolicy: IdentityPolicy = identityPolicyOf(entries);

export type Sources = Record<SourceName, Source<unknown, unknown>>;

/** Each source, made from its own settings (by name, as config parsed them) and the shared ones. */
export function createSources(
  settings: Record<string, Record<string, unknown>>,
  shared: SharedSettings,
): Sources {
  return Object.fromEntries(
    entries.map((entry) => [entry.name, entry.create(settings[entry.name] ?? {}, shared)]),
  ) as Sources;
}
