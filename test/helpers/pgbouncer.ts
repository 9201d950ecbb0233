import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeScratchDir } from './scratch.js';
import { unusedPort } from './tcp-proxy.js';

/** PgBouncer's binary: Debian's (`.ci/run` installs it) is in /usr/sbin, off a user's PATH. */
const pgbouncer = existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : 'pgbouncer';
export const hasPgBouncer = spawnSync(pgbouncer, ['--version']).status === 0;

/**
 * PgBouncer on 127.0.0.1 in front of the server of `url`, in `mode`, with the URL's user and
 * password: as a managed service's pooler is. Run as root (CI), it drops to the postgres user.
 */
export async function startPgBouncer(
  url: URL,
  mode: 'session' | 'transaction',
): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = makeScratchDir('kx-pgbouncer-');
  const port = await unusedPort();
  const users = join(dir, 'users.txt');
  const user = decodeURIComponent(url.username);
  writeFileSync(users, `"${user}" "${decodeURIComponent(url.password)}"\n`);
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${url.hostname} port=${url.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = plain',
      `auth_file = ${users}`,
      `pool_mode = ${mode}`,
      '',
    ].join('\n'),
  );
  for (const file of [dir, users, ini]) chmodSync(file, 0o755);
  const asRoot = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
  const child = spawn(pgbouncer, [...asRoot, ini], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const read = (chunk: Buffer) => {
      seen += chunk.toString();
      if (/listening on 127\.0\.0\.1:\d+/.test(seen)) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`pgbouncer exited ${code}: ${seen}`)));
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}
