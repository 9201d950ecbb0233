import { serve } from '@hono/node-server';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';

/** Requests with more header bytes than this are refused by Node with 431. */
const MAX_HEADER_BYTES = 16 * 1024;
/**
 * A client that sends its headers or its request slower than this is answered 408 and
 * disconnected: one slow client (a byte every 100 ms) must not hold a connection for minutes.
 * Node checks these every CHECK_MS (its default, 30 s, would let them run that much longer).
 */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const CHECK_MS = 1_000;
/** How long SIGTERM waits for in-flight requests before closing their connections. */
const DRAIN_MS = 10_000;
/**
 * Draining ends only after this long without a new request: connections that reached the
 * kernel while the process was busy (PGlite runs queries on the main thread) are still
 * accepted and answered rather than reset.
 */
const QUIET_MS = 250;

export interface RunningServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to DRAIN_MS), then resolves. */
  close(): Promise<void>;
}

/** The only `listen()` of kx. */
export function listen<E extends object>(
  app: Hono<E>,
  options: { host: string; port: number },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname: options.host,
        port: options.port,
        serverOptions: {
          maxHeaderSize: MAX_HEADER_BYTES,
          headersTimeout: HEADERS_TIMEOUT_MS,
          requestTimeout: REQUEST_TIMEOUT_MS,
          connectionsCheckingInterval: CHECK_MS,
        },
      },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({ url: `http://${host}:${info.port}`, close: () => drain(server, traffic) });
      },
    ) as Server;
    const traffic = trackTraffic(server);
    server.on('clientError', answerClientError);
    server.once('error', reject);
  });
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (a 100 KB URL, a 1 MB header,
 * a bad header byte) get the same JSON error body as every other answer; Node's own answer
 * has none.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', `request line and headers over ${MAX_HEADER_BYTES} bytes`]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request took too long to arrive']
        : [400, 'bad_request', `malformed HTTP request (${error.code ?? 'parse error'})`];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

interface Traffic {
  active: number;
  lastStart: number;
  draining: boolean;
}

function trackTraffic(server: Server): Traffic {
  const traffic: Traffic = { active: 0, lastStart: 0, draining: false };
  server.on('request', (_req, res) => {
    traffic.active++;
    traffic.lastStart = Date.now();
    if (traffic.draining) res.setHeader('connection', 'close');
    res.on('close', () => traffic.active--);
  });
  return traffic;
}

/** Answers what is in flight or queued, then stops; connections still open after DRAIN_MS are cut. */
async function drain(server: Server, traffic: Traffic): Promise<void> {
  traffic.draining = true;
  const deadline = Date.now() + DRAIN_MS;
  const started = Date.now();
  while (
    Date.now() < deadline &&
    (traffic.active > 0 || Date.now() - Math.max(traffic.lastStart, started) < QUIET_MS)
  ) {
    await new Promise((r) => setTimeout(r, 25));
  }
  await new Promise<void>((resolve) => {
    const force = setTimeout(
      () => server.closeAllConnections(),
      Math.max(0, deadline - Date.now()),
    );
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host === '::1' ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}
