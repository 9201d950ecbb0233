import { describe, expect, it } from 'vitest';
import { findDatabaseError, isDataError, toKxError } from '../../src/core/errors.js';

describe('database errors', () => {
  const refused = Object.assign(new Error('value "99999999999" is out of range for type integer'), {
    code: '22003',
  });
  const wrapped = new Error('Failed query: insert into quotes (…) values (…)', { cause: refused });

  it("are found under a wrapper and named by PostgreSQL's reason, not the SQL", () => {
    expect(findDatabaseError(wrapped)).toEqual({ code: '22003', message: refused.message });
    expect(toKxError(wrapped).message).toBe(
      `the database refused a statement: ${refused.message} (SQLSTATE 22003)`,
    );
    expect(isDataError(findDatabaseError(wrapped)!)).toBe(true);
  });

  it.each(['EPIPE', 'EPERM', 'EROFS', 'ECONNRESET'])(
    'an errno code such as %s is not a SQLSTATE',
    (code) => {
      const error = Object.assign(new Error(`write ${code}`), { code });
      expect(findDatabaseError(error)).toBeNull();
      expect(toKxError(error).message).toBe(`write ${code}`);
    },
  );

  it('XX000 and P0001 are SQLSTATEs, but not data errors', () => {
    for (const code of ['XX000', 'P0001', '08006']) {
      const found = findDatabaseError(Object.assign(new Error('x'), { code }));
      expect(found?.code).toBe(code);
      expect(isDataError(found!)).toBe(false);
    }
  });
});
