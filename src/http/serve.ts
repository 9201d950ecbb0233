import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';

/** Requests with more header bytes than this are refused by Node with 431. */
const MAX_HEADER_BYTES = 16 * 1024;
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
        serverOptions: { maxHeaderSize: MAX_HEADER_BYTES },
      },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({ url: `http://${host}:${info.port}`, close: () => drain(server, traffic) });
      },
    ) as Server;
    const traffic = trackTraffic(server);
    server.once('error', reject);
  });
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
