import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { TLSSocket } from 'node:tls';

/** A certificate authority and a server certificate it signed, for localhost and 127.0.0.1. */
export interface TestCertificates {
  caFile: string;
  key: Buffer;
  cert: Buffer;
}

export function makeCertificates(dir: string): TestCertificates {
  const openssl = (...args: string[]) => {
    const made = spawnSync('openssl', args, { cwd: dir });
    if (made.status !== 0) throw new Error(`openssl ${args[0]}: ${made.stderr?.toString()}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-days',
    '1',
    '-subj',
    '/CN=kx test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  );
  openssl('req', ...ec, '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.cnf',
    '-out',
    'server.crt',
  );
  return {
    caFile: join(dir, 'ca.crt'),
    key: readFileSync(join(dir, 'server.key')),
    cert: readFileSync(join(dir, 'server.crt')),
  };
}

/**
 * PostgreSQL with TLS, for a server that has none: a proxy on 127.0.0.1 that answers a
 * client's SSLRequest with `S` (or takes TLS from the first byte, as PostgreSQL 17 does), ends
 * TLS there with `certificates`, and passes the rest to the server in the clear. A client that
 * asks for no TLS passes straight through.
 */
export async function startTlsProxy(
  target: { host: string; port: number },
  certificates: TestCertificates,
): Promise<{ port: number; sessions: () => number; close(): Promise<void> }> {
  let sessions = 0;
  const sockets = new Set<Socket>();
  const track = (...pair: Socket[]) => {
    for (const s of pair) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => pair.forEach((other) => other.destroy()));
    }
  };
  const server = createServer((client) => {
    client.once('data', (first) => {
      const upstream = createConnection(target.port, target.host);
      // SSLRequest (length 8, code 80877103), or a TLS handshake at once (sslnegotiation=direct)
      const asks = first.length === 8 && first.readInt32BE(4) === 80877103;
      if (asks || first[0] === 0x16) {
        if (asks) client.write('S');
        // A TLSSocket over a net.Socket reads its handle, past what was read here: the
        // handshake's first bytes go in again through a stream of its own.
        const input = new PassThrough();
        if (!asks) input.write(first);
        client.pipe(input);
        const secure = new TLSSocket(Duplex.from({ readable: input, writable: client }), {
          isServer: true,
          key: certificates.key,
          cert: certificates.cert,
          ALPNProtocols: ['postgresql'],
        });
        secure.on('secure', () => sessions++);
        track(client, secure, upstream);
        secure.pipe(upstream).pipe(secure);
      } else {
        track(client, upstream);
        upstream.write(first);
        client.pipe(upstream).pipe(client);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sessions: () => sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
