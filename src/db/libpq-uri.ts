/**
 * A connection URI taken apart as libpq takes it (src/db/libpq.ts says why kx does), and its
 * query parameters, each read once: what no step takes is a server setting.
 */
import { KxError } from '../core/errors.js';

export type Env = Record<string, string | undefined>;

export const usage = (message: string) => new KxError('usage', message);

export interface Uri {
  user: string | undefined;
  password: string | undefined;
  hosts: { host: string; port: string }[];
  database: string | undefined;
  params: [string, string][];
}

/**
 * `postgresql://[user[:password]@][host][:port][,…][/dbname][?param=value&…]`, each part
 * percent-decoded: a host may be `[::1]`, or a socket directory written `%2Fvar%2Frun%2Fpostgresql`.
 */
export function parseUri(url: string): Uri {
  const match = /^postgres(?:ql)?:\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?(?:#.*)?$/.exec(
    url.trim(),
  );
  if (!match)
    throw usage(
      'DATABASE_URL is not a URL kx reads: write it postgres://user:password@host:port/database',
    );
  const [, authority = '', path, query] = match;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const colon = userinfo?.indexOf(':') ?? -1;
  const hosts = authority
    .slice(at + 1)
    .split(',')
    .map((spec) => {
      const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(spec)!;
      const host = decode(hostPort[1]!.replace(/^\[(.*)\]$/, '$1'), 'host');
      return { host, port: hostPort[2] ?? '' };
    });
  return {
    user:
      userinfo === undefined
        ? undefined
        : decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'user') || undefined,
    password: colon >= 0 ? decode(userinfo!.slice(colon + 1), 'password') : undefined,
    hosts,
    database: path ? decode(path, 'database name') : undefined,
    params: (query ?? '')
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0)
          throw usage(`DATABASE_URL's parameter "${pair}" has no value (write ${pair}=…)`);
        return [decode(pair.slice(0, eq), 'parameter'), decode(pair.slice(eq + 1), 'parameter')];
      }),
  };
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw usage(`DATABASE_URL's ${what} has a broken %-escape; write % itself as %25`);
  }
}

/** DATABASE_URL's query parameters; each step of reading it takes its own. */
export interface UriParams {
  /** The parameter's value (or `fallback`), taken: it is no server setting. */
  take: (name: string, fallback?: string) => string | undefined;
  /** `take`, refused unless the value is one of `allowed`. */
  choose: (name: string, allowed: readonly string[], fallback?: string) => string | undefined;
  /** The parameters no step took, in the URL's order. */
  rest: () => Map<string, string>;
}

export function readParams(pairs: [string, string][]): UriParams {
  const params = new Map(pairs);
  const take = (name: string, fallback?: string): string | undefined => {
    const value = params.get(name);
    params.delete(name);
    return value ?? fallback;
  };
  return {
    take,
    choose: (name, allowed, fallback) => {
      const value = take(name, fallback);
      if (value !== undefined && !allowed.includes(value))
        throw usage(`DATABASE_URL gives ${name}=${value}; libpq reads ${allowed.join(', ')}`);
      return value;
    },
    rest: () => params,
  };
}
