/**
 * sslmode and its companions (sslrootcert, sslcert, sslkey, sslcrl, sslpassword, the protocol
 * versions, and their PG* variables), as libpq reads them, as Node's TLS options.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { usage, type Env, type UriParams } from './libpq-uri.js';

export interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  crl?: string;
  minVersion?: string;
  maxVersion?: string;
  checkServerIdentity?: () => undefined;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** sslmode and its companions, as libpq reads them, as Node's TLS options. */
export function tlsOptions(
  params: UriParams,
  env: Env,
  read: (file: string) => string,
): false | 'prefer' | TlsOptions {
  const mode = params.choose('sslmode', SSL_MODES, env.PGSSLMODE || 'prefer')!;
  const { named, rootcert, cert, key, crl } = certificates(params, env, read);
  const passphrase = params.take('sslpassword');
  const minVersion = tlsVersion(
    params.take('ssl_min_protocol_version', env.PGSSLMINPROTOCOLVERSION),
  );
  const maxVersion = tlsVersion(
    params.take('ssl_max_protocol_version', env.PGSSLMAXPROTOCOLVERSION),
  );
  if (mode === 'disable') return false;
  // libpq: with a root certificate, require checks the chain as verify-ca does; `system` is
  // the system's authorities, and asks for verify-full at least.
  const verify =
    rootcert === 'system'
      ? 'verify-full'
      : mode === 'require' && rootcert !== undefined
        ? 'verify-ca'
        : mode;
  const extra = {
    ...(cert !== undefined && cert !== 'system' ? { cert } : {}),
    ...(key !== undefined && key !== 'system' ? { key } : {}),
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(crl !== undefined && crl !== 'system' ? { crl } : {}),
    ...(minVersion ? { minVersion } : {}),
    ...(maxVersion ? { maxVersion } : {}),
  };
  // postgres.js falls back to no TLS only with 'prefer' itself: options named for TLS ask for
  // it (libpq's own files, found by default, do not)
  if (verify === 'allow' || verify === 'prefer') {
    const asked = [...Object.values(named), passphrase, minVersion, maxVersion].some(
      (value) => value !== undefined,
    );
    return asked ? { rejectUnauthorized: false, ...extra } : 'prefer';
  }
  if (verify === 'require') return { rejectUnauthorized: false, ...extra };
  return {
    rejectUnauthorized: true,
    ...(rootcert !== undefined && rootcert !== 'system' ? { ca: rootcert } : {}),
    ...(verify === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    ...extra,
  };
}

/**
 * The certificates and revocation list: each file's text as sslrootcert, sslcert, sslkey and
 * sslcrl (or their PG* variables) name it (`system` as it is), else libpq's own files in
 * ~/.postgresql (root.crt, postgresql.crt and .key, root.crl) where they are. `named` is what
 * the URL and the environment named.
 */
function certificates(params: UriParams, env: Env, read: (file: string) => string) {
  const file = (name: string, envName: string) => {
    const value = params.take(name, env[envName]);
    if (value === undefined || value === 'system') return value;
    try {
      return read(value);
    } catch (error) {
      throw usage(
        `DATABASE_URL gives ${name}=${value}, which kx cannot read ` +
          `(${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
  };
  const own = (name: string) => {
    try {
      return read(join(env.HOME || homedir(), '.postgresql', name));
    } catch {
      return undefined;
    }
  };
  const named = {
    rootcert: file('sslrootcert', 'PGSSLROOTCERT'),
    cert: file('sslcert', 'PGSSLCERT'),
    key: file('sslkey', 'PGSSLKEY'),
    crl: file('sslcrl', 'PGSSLCRL'),
  };
  const cert = named.cert ?? own('postgresql.crt');
  return {
    named,
    rootcert: named.rootcert ?? own('root.crt'),
    cert,
    key: named.key ?? (cert !== undefined ? own('postgresql.key') : undefined),
    crl: named.crl ?? own('root.crl'),
  };
}

function tlsVersion(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const version = /^TLSv1(?:\.[123])?$/.exec(value)?.[0];
  if (!version)
    throw usage(
      `DATABASE_URL gives the TLS version ${value}; libpq reads TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3`,
    );
  return version;
}
