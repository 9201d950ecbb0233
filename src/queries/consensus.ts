import { sql, type SQL } from 'drizzle-orm';

/**
 * What /assets (a coin across its sources) and a history's consensus and divergence (per
 * bucket) compute alike, in numeric so the results are exact decimals.
 */

/**
 * The median of `sorted`, a numeric array in ascending order with `n` elements: the middle
 * element, or the mean of the two middle ones (× 0.5 is exact, a division might round).
 */
export function sortedMedian(sorted: SQL, n: SQL): SQL {
  return sql`case when ${n} > 0
    then trim_scale((${sorted}[(${n} + 1) / 2] + ${sorted}[(${n} + 2) / 2]) * 0.5) end`;
}

/** (high − low) / median to 8 places, when `n` ≥ 2 values gave them; null otherwise. */
export function relativeRange(high: SQL, low: SQL, median: SQL, n: SQL): SQL {
  return sql`case when ${n} > 1 and ${median} > 0
    then trim_scale(round((${high} - ${low}) / ${median}, 8)) end`;
}
