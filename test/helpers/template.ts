import { rmSync } from 'node:fs';
import postgres from 'postgres';
import { createDb } from '../../src/db/client.js';
import { migrateDb } from '../../src/db/migrate.js';
import { makeScratchDir } from './scratch.js';

/**
 * A migrated, empty kx database that test databases are copied from: a PGlite data dir, or a
 * database on the server of `serverUrl` (copied with CREATE DATABASE … TEMPLATE).
 */
export interface Template {
  /** The data dir (PGlite) or the database name (server). */
  name: string;
  drop(): Promise<void>;
}

export async function createTemplate(serverUrl: string | undefined): Promise<Template> {
  if (!serverUrl) {
    const dataDir = makeScratchDir('kx-template-');
    const handle = await createDb({ databaseUrl: undefined, dataDir, command: 'test template' });
    await migrateDb(handle);
    await handle.close();
    return {
      name: dataDir,
      drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  const name = `kx_template_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDb({ databaseUrl: url.toString(), dataDir: '', command: 'test' });
  await migrateDb(handle);
  await handle.close();
  return {
    name,
    drop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

/** One statement on its own connection (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end();
  }
}
