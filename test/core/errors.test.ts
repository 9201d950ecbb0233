import { describe, expect, it } from 'vitest';
import {
  findConnectionProblem,
  findDatabaseError,
  findStorageProblem,
  isDataError,
  redactPassword,
  toKxError,
} from '../../src/core/errors.js';

describe('redactPassword', () => {
  it('masks the password of a URL, and of libpq URLs WHATWG refuses (several hosts)', () => {
    expect(redactPassword('postgres://kx:s3cret@db:5432/kx')).toBe('postgres://kx:***@db:5432/kx');
    expect(redactPassword('postgresql://kx:s3c:ret@h1:5432,h2:5433/kx?sslmode=require')).toBe(
      'postgresql://kx:***@h1:5432,h2:5433/kx?sslmode=require',
    );
    expect(redactPassword('postgresql://kx@h1,h2/kx')).toBe('postgresql://kx@h1,h2/kx');
    expect(redactPassword('not a url', '(unparseable)')).toBe('(unparseable)');
  });
});

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

  it.each([
    ['25006', 'cannot execute INSERT in a read-only transaction', 'to point at the primary'],
    ['42501', 'permission denied for table quotes', 'grant the user in DATABASE_URL'],
    ['3F000', 'no schema has been selected to create in', 'create it as the database'],
  ])('%s is configuration (exit 2), with the fix', (code, reason, fix) => {
    const error = new Error('Failed query', { cause: Object.assign(new Error(reason), { code }) });
    expect(findStorageProblem(error)?.kind).toBe('usage');
    const kx = toKxError(error);
    expect(kx.code).toBe('usage');
    expect(kx.retryable).toBe(false);
    expect(kx.message).toContain(`${reason} (SQLSTATE ${code}); `);
    expect(kx.message).toContain(fix);
  });

  it.each(['EPIPE', 'EPERM', 'EROFS', 'ECONNRESET'])(
    'an errno code such as %s is not a SQLSTATE',
    (code) => {
      const error = Object.assign(new Error(`write ${code}`), { code });
      expect(findDatabaseError(error)).toBeNull();
      expect(toKxError(error).message).toContain(`write ${code}`);
    },
  );

  it.each([
    ['ECONNREFUSED', 'unavailable'],
    ['ECONNRESET', 'unavailable'],
    ['EPIPE', 'unavailable'],
    ['CONNECTION_CLOSED', 'unavailable'],
    ['57P01', 'unavailable'], // terminating connection due to administrator command
    ['08006', 'unavailable'],
    ['53300', 'unavailable'], // too many connections
    ['28P01', 'usage'], // password authentication failed
    ['3D000', 'usage'], // database does not exist
    ['ENOENT', null],
    ['22003', null],
  ])('%s: a connection problem of kind %s', (code, kind) => {
    const error = new Error('Failed query', {
      cause: Object.assign(new Error(`reason ${code}`), { code }),
    });
    expect(findConnectionProblem(error)?.kind ?? null).toBe(kind);
    const kx = toKxError(error);
    if (kind === 'unavailable') {
      expect(kx.code).toBe('unavailable');
      expect(kx.retryable).toBe(true);
      expect(kx.message).toMatch(/^the database is unavailable: reason .*`kx resume` continues/);
    } else if (kind === 'usage') {
      expect(kx.code).toBe('usage');
      expect(kx.message).toContain('check the user, password and database name in DATABASE_URL');
    } else expect(kx.code).toBe('internal');
  });

  it('XX000 and P0001 are SQLSTATEs, but not data errors', () => {
    for (const code of ['XX000', 'P0001', '08006']) {
      const found = findDatabaseError(Object.assign(new Error('x'), { code }));
      expect(found?.code).toBe(code);
      expect(isDataError(found!)).toBe(false);
    }
  });
});

describe('storage errors', () => {
  it.each([
    [{ name: 'ErrnoError', errno: 51 }, 'unavailable', /^no space left on the device \(ENOSPC\)/],
    [{ name: 'ErrnoError', errno: 69 }, 'usage', /^the file system is read-only \(EROFS\)/],
    [
      Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: 'EACCES' }),
      'usage',
      /^permission denied \(EACCES: permission denied/,
    ],
    [
      Object.assign(new Error('could not extend file "base/5/16384": No space left on device'), {
        code: '53100',
      }),
      'unavailable',
      /^the database cannot write: could not extend file/,
    ],
  ])('%o is %s', (error, kind, message) => {
    expect(findStorageProblem(error)?.kind).toBe(kind);
    expect(toKxError(error).message).toMatch(message);
    expect(toKxError(error).message).not.toContain('[object Object]');
  });
});
