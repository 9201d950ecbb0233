import { describe, expect, it } from 'vitest';
import { toObservedAt } from '../../src/sources/shared/api.js';

describe("an API item's last_updated", () => {
  const fetchedAt = new Date('2025-02-09T18:00:00Z');

  it('is read as the instant it names, or the fetch time when absent', () => {
    expect(toObservedAt('2025-02-09T17:44:04.143Z', fetchedAt)).toEqual(
      new Date('2025-02-09T17:44:04.143Z'),
    );
    expect(toObservedAt('2022-01-30T18:33:33Z', fetchedAt)).toEqual(
      new Date('2022-01-30T18:33:33Z'),
    );
    expect(toObservedAt(null, fetchedAt)).toBe(fetchedAt);
    expect(toObservedAt(undefined, fetchedAt)).toBe(fetchedAt);
  });

  it.each(['2025-02-30T00:00:00Z', 'yesterday', '2025-13-01T00:00:00Z', 'Invalid Date'])(
    '%s is a rejection naming the field, never rolled over or Invalid Date',
    (text) => {
      expect(toObservedAt(text, fetchedAt)).toMatchObject({
        ok: false,
        field: 'last_updated',
        reason: expect.stringMatching(/^last_updated: not a date/) as string,
      });
    },
  );
});
