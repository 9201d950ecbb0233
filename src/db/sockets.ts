/** The sockets of kx's connections to a PostgreSQL server, over DATABASE_URL's hosts. */
import { Socket } from 'node:net';

/** DATABASE_URL's hosts, the one connections go to first, and whether they may go on. */
export interface Hosts {
  list: { host: string; port: number }[];
  preferred: number;
  /** Off while a host is being tried for itself (connectToHost), then on. */
  fallThrough: boolean;
}

/**
 * The pool's sockets. postgres.js's own keep Nagle's algorithm on: a COPY ends with a small
 * CopyDone written right behind its data, which Nagle holds until the server acknowledges that
 * data, and the server's delayed ACK takes up to 40 ms: about half of a load's COPYs waited
 * that long. These have TCP_NODELAY. They connect to the unix socket path, or to the host kx
 * picked; should it not answer, to the next of DATABASE_URL's hosts that does, which is then
 * the one tried first. One host's socket is returned still connecting, so postgres.js's
 * connect timeout and error handling apply as usual; with several, each is given
 * connect_timeout, and when none answers the last one's error is postgres.js's.
 */
export function socket(
  hosts: Hosts,
  options: Record<string, unknown>,
): (options: { path?: string | false }) => Promise<Socket> {
  const timeoutMs = Number(options.connect_timeout ?? 10) * 1000 || 10_000;
  return async ({ path }) => {
    const open = (at?: { host: string; port: number }) => {
      const s = new Socket();
      s.setNoDelay(true);
      // postgres.js names host and port in its connection errors from these.
      return at ? Object.assign(s.connect(at.port, at.host), at) : s.connect(path as string);
    };
    if (path) return open();
    const { list, preferred } = hosts;
    if (!hosts.fallThrough || list.length === 1) return open(list[preferred]);
    let lastError: unknown;
    for (let k = 0; k < list.length; k++) {
      const i = (preferred + k) % list.length;
      const s = open(list[i]);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`connect timed out to ${list[i]!.host}`)),
            timeoutMs,
          );
          s.once('connect', () => (clearTimeout(timer), resolve()));
          s.once('error', (error) => (clearTimeout(timer), reject(error)));
        });
        hosts.preferred = i;
        return s;
      } catch (error) {
        s.destroy();
        lastError = error;
      }
    }
    throw lastError;
  };
}
