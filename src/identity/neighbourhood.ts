/**
 * The stored listings a batch's identity decisions depend on (its neighbourhood), read under
 * the locks of their symbols, so that workers deciding at once decide as if one after the
 * other.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { IdentityPolicy } from '../core/source.js';
import { toNameKey } from '../core/unified.js';
import type { Tx } from '../db/client.js';
import { selectRows, toArrayLiteral, toBigintArrayLiteral } from '../db/sql.js';
import { keyOf } from './rules.js';

/** What identity looks at in an incoming listing. */
export interface IncomingListing {
  sourceId: string;
  symbol: string;
  name: string | null;
  slug: string | null;
}

/**
 * The stored neighbourhood, read under the locks of every symbol in it. A neighbour of another
 * symbol (a manual pin, a listing whose symbol changed) has its symbol locked too and the
 * neighbourhood read again, so what is decided on is what other workers have committed.
 */
export async function getLockedNeighbourhood(
  tx: Tx,
  source: string,
  incoming: IncomingListing[],
  locked: Set<string>,
  policy: IdentityPolicy,
): Promise<StoredListing[]> {
  let stored = await getNeighbourhood(tx, source, incoming, policy);
  while (
    await lockSymbols(
      tx,
      stored.map((r) => r.symbol),
      locked,
    )
  )
    stored = await getNeighbourhood(tx, source, incoming, policy);
  return stored;
}

/** The advisory-lock class of identity's symbol locks (the two-key form, apart from run locks). */
const SYMBOL_LOCK_CLASS = 0x6b78;

/**
 * Takes the transaction's identity locks on `symbols` not yet in `locked`: what makes identity
 * correct with several workers on one database. Every identity rule joins listings of one
 * symbol, so a batch's decisions depend only on the stored listings of its symbols. Two
 * batches deciding on the same symbol at once would each miss the other's new listings (a CSV
 * listing and the CoinGecko listing it names would stay apart); holding the symbol's lock
 * from the identity step to the commit makes them decide one after the other, each seeing the
 * other's commit. Any interleaving then gives the grouping of some sequential order, which the
 * rules make the same for every order. Batches of other symbols, and everything before
 * identity (reading, fetching, staging, landing raw payloads), still run side by side. Locks
 * are taken in hash order, so two first rounds cannot deadlock; a later round can, and
 * PostgreSQL's deadlock error makes the runner retry the batch. Returns whether it took any.
 */
export async function lockSymbols(
  tx: Tx,
  symbols: string[],
  locked: Set<string> = new Set(),
): Promise<boolean> {
  const wanted = [...new Set(symbols)].filter((s) => !locked.has(s));
  if (wanted.length === 0) return false;
  await tx.execute(sql`
    select pg_advisory_xact_lock(${SYMBOL_LOCK_CLASS}, h) from (
      select distinct hashtext(k) as h from unnest(${toArrayLiteral(wanted)}::text[]) k order by h
    ) x`);
  for (const s of wanted) locked.add(s);
  return true;
}

export interface StoredListing {
  source: string;
  sourceId: string;
  symbol: string;
  name: string | null;
  slug: string | null;
  assetId: number;
  method: string;
  confidence: number;
}

const LISTING_COLUMNS = sql.raw(
  'a.source, a.source_id as "sourceId", a.symbol, a.name, a.slug, a.asset_id as "assetId", ' +
    'a.match_method as method, a.confidence',
);

/** Rounds of evidence followed from the incoming listings; clusters are small, so 3 reach all. */
const NEIGHBOURHOOD_ROUNDS = 3;

/**
 * The stored listings that can share a cluster with the incoming ones: the same symbol and
 * name, the other side of a slug or CSV-id rule, and the other listings of their assets,
 * followed for a few rounds. Never a whole symbol's listings: a ticker held by thousands of
 * listings would make every batch read them all. Each kind of evidence is a LATERAL index
 * probe per key (`offset 0` keeps the planner from flattening it into a join that scans the
 * table), so the cost follows the batch, not the size of asset_sources.
 */
async function getNeighbourhood(
  tx: Tx,
  source: string,
  incoming: IncomingListing[],
  policy: IdentityPolicy,
): Promise<StoredListing[]> {
  const isCatalogue = (name: string) => policy.catalogues.includes(name);
  const found = new Map<string, StoredListing>();
  let seeds: (IncomingListing & { source: string; assetId?: number })[] = incoming.map((l) => ({
    ...l,
    source,
  }));
  for (let round = 0; round < NEIGHBOURHOOD_ROUNDS && seeds.length > 0; round++) {
    const pairs = new Map<string, [string, string]>();
    const ids = new Set<string>();
    const slugs = new Set<string>();
    const assetIds = new Set<number>();
    for (const s of seeds) {
      const nameKey = s.name ? toNameKey(s.name) : '';
      if (nameKey !== '') pairs.set(`${s.symbol}\u0000${nameKey}`, [s.symbol, nameKey]);
      if (isCatalogue(s.source)) {
        // Other catalogues' listings with its slug; files whose id column names it.
        if (s.slug) slugs.add(s.slug);
        slugs.add(s.sourceId);
      } else if (s.slug) ids.add(s.slug); // the catalogue listing its id column names
      if (s.assetId !== undefined) assetIds.add(s.assetId);
    }
    const probe = (keys: SQL, match: SQL) =>
      sql`select ${LISTING_COLUMNS} from ${keys} cross join lateral (
            select * from asset_sources a where ${match} offset 0) a`;
    const rows = await selectRows<StoredListing>(
      tx,
      sql.join(
        [
          probe(
            sql`unnest(${toArrayLiteral([...pairs.values()].map(([symbol]) => symbol))}::text[],
              ${toArrayLiteral([...pairs.values()].map(([, key]) => key))}::text[]) k(symbol, key)`,
            sql`a.symbol = k.symbol and a.name_key = k.key`,
          ),
          // A file's id column names a catalogue listing: its (source, source_id) key.
          probe(
            sql`unnest(${toArrayLiteral(ids)}::text[]) k(id)`,
            sql`a.source = any(${toArrayLiteral(policy.catalogues)}::text[]) and a.source_id = k.id`,
          ),
          probe(sql`unnest(${toArrayLiteral(slugs)}::text[]) k(slug)`, sql`a.slug = k.slug`),
          probe(
            sql`unnest(${toBigintArrayLiteral(assetIds)}::bigint[]) k(asset_id)`,
            sql`a.asset_id = k.asset_id`,
          ),
        ],
        sql` union `,
      ),
    );
    seeds = [];
    for (const row of rows) {
      const listing = { ...row, assetId: Number(row.assetId), confidence: Number(row.confidence) };
      if (found.has(keyOf(listing))) continue;
      found.set(keyOf(listing), listing);
      seeds.push(listing);
    }
  }
  return [...found.values()];
}
