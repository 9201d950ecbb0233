import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      dataDir: resolve('.kx'),
      logLevel: 'info',
      logFormat: 'pretty',
      failAfter: null,
      maxRejectRatio: 0.5,
      batchSize: 10000,
      httpMaxRetries: 5,
      color: true,
    });
  });

  it('flags beat the environment, which beats defaults', () => {
    const env = {
      KX_DATA_DIR: '/env/dir',
      KX_LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgres://env/db',
    };
    expect(loadConfig({}, env)).toMatchObject({
      dataDir: '/env/dir',
      logLevel: 'warn',
      databaseUrl: 'postgres://env/db',
    });
    expect(
      loadConfig(
        { dataDir: '/flag/dir', logLevel: 'debug', databaseUrl: 'postgres://flag/db' },
        env,
      ),
    ).toMatchObject({
      dataDir: '/flag/dir',
      logLevel: 'debug',
      databaseUrl: 'postgres://flag/db',
    });
  });

  it.each([
    ['~/kx', join(homedir(), 'kx')],
    ['~', homedir()],
    ['./~/kx', resolve('~/kx')],
  ])('KX_DATA_DIR %s is %s', (dir, expected) => {
    expect(loadConfig({}, { KX_DATA_DIR: dir }).dataDir).toBe(expected);
    expect(loadConfig({ dataDir: dir }, {}).dataDir).toBe(expected);
  });

  it.each([
    [{ FAIL_AFTER_N_RECORDS: '' }, null],
    [{ FAIL_AFTER_N_RECORDS: '0' }, null],
    [{ FAIL_AFTER_N_RECORDS: ' 42 ' }, 42],
  ])('FAIL_AFTER_N_RECORDS %j → %j', (env, expected) => {
    expect(loadConfig({}, env).failAfter).toBe(expected);
  });

  it.each([
    [{ KX_MAX_REJECT_RATIO: '1.5' }, 'KX_MAX_REJECT_RATIO=1.5: expected a number from 0 to 1'],
    [{ KX_BATCH_SIZE: '0' }, 'KX_BATCH_SIZE=0: expected a whole number from 1 to 100000'],
    [{ KX_BATCH_SIZE: 'abc' }, 'KX_BATCH_SIZE=abc: expected a whole number from 1 to 100000'],
    [
      { DATABASE_URL: 'mysql://x' },
      'DATABASE_URL=mysql://x: expected a URL starting with postgres:// or postgresql://',
    ],
    [{ KX_COINGECKO_PLAN: 'gold' }, 'KX_COINGECKO_PLAN=gold: expected public, demo or pro'],
    [{ KX_HTTP_TIMEOUT_MS: 'soon' }, 'KX_HTTP_TIMEOUT_MS=soon: expected a whole number from 100'],
    [{ KX_HTTP_MAX_BODY_MB: '0' }, 'KX_HTTP_MAX_BODY_MB=0: expected a whole number from 1 to 4096'],
    [{ KX_COINGECKO_BASE_URL: 'not a url' }, 'KX_COINGECKO_BASE_URL=not a url: expected an http'],
    [
      { KX_COINGECKO_BASE_URL: 'localhost:8080/api/v3' },
      'expected a URL with its scheme, such as http://localhost:8080/api/v3',
    ],
    [{ KX_COINPAPRIKA_BASE_URL: 'ftp://127.0.0.1/v1' }, 'expected an http:// or https:// URL'],
    [{ KX_DATA_DIR: '~kx/data' }, 'KX_DATA_DIR=~kx/data: expected a path: kx reads ~ as your'],
    [{ KX_LOG_LEVEL: 'loud' }, 'KX_LOG_LEVEL=loud: expected silent, error, warn, info or debug'],
    [{ KX_API_TOKEN: 'pass word!' }, 'KX_API_TOKEN: expected letters, digits and'], // never the token
    [
      { KX_LOCK_WAIT: '5' },
      'KX_LOCK_WAIT=5: expected a time such as 30s, 5m or 1h (0: do not wait)',
    ],
    [{ KX_LOCK_WAIT: '1.5m' }, 'KX_LOCK_WAIT=1.5m: expected a time such as 30s'],
    [{ KX_LOCK_WAIT: '25h' }, 'KX_LOCK_WAIT=25h: expected at most 24h'],
  ])('%j is a configuration error', (env, message) => {
    expect(() => loadConfig({}, env)).toThrow(message);
  });

  it("reads each source's settings from the variables its registry entry declares", () => {
    const config = loadConfig(
      {},
      {
        KX_COINGECKO_PLAN: 'pro',
        KX_COINGECKO_API_KEY: ' k ',
        KX_COINPAPRIKA_MONTHLY_CALLS: '100',
      },
    );
    expect(config.sources).toEqual({
      coingecko: {
        apiKey: 'k',
        plan: 'pro',
        baseUrl: undefined,
        callsPerMinute: undefined,
        monthlyCalls: undefined,
      },
      coinpaprika: {
        apiKey: undefined,
        baseUrl: undefined,
        callsPerMinute: undefined,
        monthlyCalls: 100,
      },
      csv: {},
    });
  });

  it('names the flag when the bad value came from one', () => {
    expect(() => loadConfig({ logLevel: 'loud' }, {})).toThrow(
      '--log-level=loud: expected silent, error, warn, info or debug',
    );
    expect(() => loadConfig({ lockWait: 'soon' }, { KX_LOCK_WAIT: '1m' })).toThrow(
      '--lock-wait=soon: expected a time such as 30s',
    );
  });

  it.each([
    [{}, {}, 0],
    [{}, { KX_LOCK_WAIT: '0' }, 0],
    [{}, { KX_LOCK_WAIT: ' 45s ' }, 45_000],
    [{}, { KX_LOCK_WAIT: '5m' }, 300_000],
    [{ lockWait: '2h' }, { KX_LOCK_WAIT: '5m' }, 7_200_000], // the flag wins
  ])('--lock-wait %j, environment %j: waits %d ms', (flags, env, ms) => {
    expect(loadConfig(flags, env).lockWaitMs).toBe(ms);
  });

  it('NO_COLOR turns colours off', () => {
    expect(loadConfig({}, { NO_COLOR: '' }).color).toBe(false);
  });

  it.each([
    [{}, true],
    [{ CI: 'true' }, false],
    [{ CI: '1' }, false],
    [{ CI: 'false' }, true],
    [{ CI: '' }, true],
  ])('log icons with %j: %s', (env, icons) => {
    expect(loadConfig({}, env).icons).toBe(icons);
  });
});
