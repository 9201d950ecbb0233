/**
 * The Dockerfile, rehearsed where there is no Docker engine: each stage's instructions are
 * carried out as written, in a directory standing for the stage's filesystem, with the Node.js
 * major of its `FROM` line (fetched by `.ci/node`) installed at /usr/local/bin as the official
 * image has it. Then the image's ENTRYPOINT and CMD start as its USER (uid 1000, the `node`
 * user of the node images) with a token, its HEALTHCHECK must pass, the API must answer with
 * the token and refuse without it, and SIGTERM must stop it. Exits non-zero on any failure.
 *
 *   npm run image:rehearse
 *
 * What it cannot show: the base image's own files (only Node, npm and the tools of this
 * machine stand in for them), and Docker's layer cache. Absolute paths of the image (WORKDIR,
 * COPY's and RUN's arguments, ENV values) are mapped into the stage's directory; `chown`
 * to the `node` user is carried out with its uid and gid, 1000, whatever this machine calls
 * them. That takes root (CI's user); run by another user, the image runs as that user.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const context = resolve(import.meta.dirname, '../..');
const NODE_UID = 1000; // the node images' `node` user and group

interface Stage {
  name: string;
  nodeMajor: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | null;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
}

/** The Dockerfile's instructions: comments dropped, continuation lines joined. */
function instructions(text: string): { op: string; args: string; line: number }[] {
  const out: { op: string; args: string; line: number }[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    if (!pending) start = i + 1;
    pending += (pending ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) return;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(pending);
    if (!m) throw new Error(`Dockerfile:${start}: cannot read "${pending}"`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!, line: start });
    pending = '';
  });
  return out;
}

/** .dockerignore's patterns, each matched against a path relative to the context. */
function ignored(): (path: string) => boolean {
  const file = join(context, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  if (patterns.some((p) => p.startsWith('!') || p.includes('**')))
    throw new Error('.dockerignore: ! and ** patterns are not rehearsed; extend test/image');
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/^\//, '')
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}$`,
      ),
  );
  return (path) => {
    const parts = path.split('/');
    return parts.some((_, i) => regexes.some((r) => r.test(parts.slice(0, i + 1).join('/'))));
  };
}

function nodeFor(major: string, root: string): void {
  const bin = execFileSync(join(context, '.ci/node'), [major], { encoding: 'utf8' }).trim();
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  copyFileSync(join(bin, 'node'), join(root, 'usr/local/bin/node'));
  chmodSync(join(root, 'usr/local/bin/node'), 0o755);
}

/** A path of the image, in the stage's directory. */
const inStage = (stage: Stage, path: string) =>
  join(stage.root, isAbsolute(path) ? path : join(stage.workdir, path));

/** An instruction's exec form (`["a", "b"]`), or its shell form run by `/bin/sh -c`. */
const execForm = (args: string): string[] =>
  args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : ['/bin/sh', '-c', args];

function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g))
    out[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  return out;
}

/** Absolute paths of the image in a shell line or an ENV value, mapped into the stage. */
const mapPaths = (stage: Stage, text: string) =>
  text.replace(
    /(^|[\s=:])(\/(?:app|data|home|usr|tmp|srv|opt|var)\b[\w./-]*)/g,
    (_, pre, p) => `${pre}${join(stage.root, p as string)}`,
  );

function processEnv(stage: Stage, shims: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${join(stage.root, 'usr/local/bin')}:${shims}:/usr/bin:/bin`,
    HOME: join(stage.root, stage.user === 'node' ? 'home/node' : 'root'),
    LANG: 'C.UTF-8',
  };
  // What a build on this machine needs to reach the registry, as Docker's proxy settings and
  // build arguments would pass it: proxies, CA bundles, and npm's user config (its cafile).
  // Not npm's own npm_config_* (its cache above all: the image's `npm cache clean` is its own).
  for (const [k, v] of Object.entries(process.env))
    if (v && /^(https?|no|all)_proxy$|CA_CERT|CA_BUNDLE|SSL_CERT|CAINFO/i.test(k)) env[k] = v;
  const npmrc = process.env.npm_config_userconfig ?? join(homedir(), '.npmrc');
  if (existsSync(npmrc)) env.npm_config_userconfig = npmrc;
  for (const [k, v] of Object.entries(stage.env)) env[k] = mapPaths(stage, v);
  return env;
}

function userOptions(stage: Stage): { uid?: number; gid?: number } {
  if (!stage.user || stage.user === 'root') return {};
  if (stage.user !== 'node') throw new Error(`USER ${stage.user}: only node is rehearsed`);
  return process.getuid?.() === 0 ? { uid: NODE_UID, gid: NODE_UID } : {};
}

function copy(
  stage: Stage,
  args: string,
  stages: Map<string, Stage>,
  skip: (p: string) => boolean,
) {
  const words = args.split(/\s+/);
  const from = words[0]!.startsWith('--from=') ? words.shift()!.slice(7) : null;
  if (words.some((w) => w.startsWith('--'))) throw new Error(`COPY ${args}: flag not rehearsed`);
  const dest = words.pop()!;
  const target = inStage(stage, dest);
  for (const src of words) {
    const source = from
      ? join(stages.get(from)?.root ?? fail(`COPY --from=${from}: no such stage`), src)
      : join(context, src);
    if (!from && skip(relative(context, source)))
      throw new Error(`COPY ${src}: .dockerignore leaves it out of the context`);
    if (!existsSync(source)) throw new Error(`COPY ${src}: not found (${source})`);
    const into = dest.endsWith('/') ? join(target, src.split('/').pop()!) : target;
    mkdirSync(dirname(into), { recursive: true });
    cpSync(source, into, {
      recursive: true,
      filter: (p) => from !== null || !skip(relative(context, p)),
    });
  }
}

function fail(message: string): never {
  throw new Error(message);
}

function run(stage: Stage, line: string, shims: string): void {
  const cwd = join(stage.root, stage.workdir);
  mkdirSync(cwd, { recursive: true });
  const result = spawnSync('/bin/sh', ['-c', mapPaths(stage, line)], {
    cwd,
    env: processEnv(stage, shims),
    stdio: 'inherit',
    ...userOptions(stage),
  });
  if (result.status !== 0) throw new Error(`RUN ${line}: exit ${result.status ?? result.signal}`);
}

/**
 * `chown node:node …` as the image would: the node images' node user is uid and gid 1000.
 * Only root can give files away: run by anyone else, the image's user is the one running.
 */
function writeShims(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const chown = join(dir, 'chown');
  const script =
    process.getuid?.() === 0
      ? `owner=$(echo "$1" | sed 's/^node:node$/${NODE_UID}:${NODE_UID}/; s/^node$/${NODE_UID}/')\n` +
        `shift\nexec /bin/chown "$owner" "$@"\n`
      : `echo "image rehearsal: chown $* left out (not root: the image's user is $(id -un))"\n`;
  writeFileSync(chown, `#!/bin/sh\n${script}`);
  chmodSync(chown, 0o755);
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'kx-image-'));
  chmodSync(scratch, 0o755); // the image's user must reach its files
  const shims = join(scratch, 'shims');
  writeShims(shims);
  const skip = ignored();
  const stages = new Map<string, Stage>();
  let stage: Stage | null = null;
  try {
    for (const { op, args, line } of instructions(
      readFileSync(join(context, 'Dockerfile'), 'utf8'),
    )) {
      console.log(`== Dockerfile:${line}: ${op} ${args}`);
      if (op === 'FROM') {
        const m = /^node:(\d+)[\w.-]*(?:\s+AS\s+(\w+))?$/i.exec(args);
        if (!m) throw new Error(`FROM ${args}: only node:<major> images are rehearsed`);
        const name = m[2] ?? `stage${stages.size}`;
        const root = join(scratch, name);
        mkdirSync(join(root, 'home/node'), { recursive: true });
        mkdirSync(join(root, 'root'), { recursive: true });
        mkdirSync(join(root, 'tmp'), { recursive: true, mode: 0o1777 });
        chmodSync(join(root, 'tmp'), 0o1777);
        if (process.getuid?.() === 0)
          execFileSync('chown', [`${NODE_UID}:${NODE_UID}`, join(root, 'home/node')]);
        nodeFor(m[1]!, root);
        stage = {
          name,
          nodeMajor: m[1]!,
          root,
          workdir: '/',
          env: {},
          user: null,
          entrypoint: [],
          cmd: [],
          healthcheck: [],
        };
        stages.set(name, stage);
        continue;
      }
      if (!stage) throw new Error(`Dockerfile:${line}: ${op} before FROM`);
      if (op === 'WORKDIR') stage.workdir = args.trim();
      else if (op === 'ENV') Object.assign(stage.env, parseEnv(args));
      else if (op === 'COPY') copy(stage, args, stages, skip);
      else if (op === 'RUN') run(stage, args, shims);
      else if (op === 'USER') stage.user = args.trim();
      else if (op === 'ENTRYPOINT') stage.entrypoint = execForm(args);
      else if (op === 'CMD') stage.cmd = execForm(args);
      else if (op === 'HEALTHCHECK') stage.healthcheck = execForm(args.replace(/^.*?\bCMD\s+/, ''));
      else if (op !== 'VOLUME' && op !== 'EXPOSE' && op !== 'LABEL' && op !== 'ARG')
        throw new Error(`Dockerfile:${line}: ${op} is not rehearsed; extend test/image`);
    }
    if (!stage) throw new Error('Dockerfile: no stage');
    await start(stage, shims);
    console.log(`image rehearsal: passed (Node ${stage.nodeMajor}, ${stages.size} stages)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `docker run -e KX_API_TOKEN=…` of the last stage, then its health check and the API. */
async function start(stage: Stage, shims: string): Promise<void> {
  const token = randomBytes(24).toString('hex');
  // As `docker run -e …` would: a token, and the APIs the schedule calls at a closed port, so
  // that the rehearsal calls no one.
  const env = {
    ...processEnv(stage, shims),
    KX_API_TOKEN: token,
    KX_COINGECKO_BASE_URL: 'http://127.0.0.1:47',
    KX_COINPAPRIKA_BASE_URL: 'http://127.0.0.1:47',
  };
  const cwd = join(stage.root, stage.workdir);
  const [command, ...args] = [...stage.entrypoint, ...stage.cmd];
  if (!command) throw new Error('Dockerfile: no ENTRYPOINT or CMD');
  const server = spawn(command, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...userOptions(stage),
  });
  let output = '';
  server.stdout.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => server.on('exit', (code) => r(code)));
  try {
    if (stage.healthcheck.length === 0) throw new Error('Dockerfile: no HEALTHCHECK');
    const [check, ...checkArgs] = stage.healthcheck;
    let healthy = false;
    for (let i = 0; i < 60 && !healthy && server.exitCode === null; i++) {
      await sleep(1000);
      healthy = spawnSync(check!, checkArgs, { cwd, env, ...userOptions(stage) }).status === 0;
    }
    if (!healthy) throw new Error(`HEALTHCHECK never passed; the server said:\n${output}`);
    const port = /--port\s+(\d+)/.exec(args.join(' '))?.[1] ?? '8000';
    const url = `http://127.0.0.1:${port}/data?limit=1`;
    const open = await fetch(url);
    if (open.status !== 401)
      throw new Error(`GET /data without the token: ${open.status}, not 401`);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await ok.json()) as { data?: unknown[] };
    if (ok.status !== 200 || !Array.isArray(body.data))
      throw new Error(`GET /data with the token: ${ok.status} ${JSON.stringify(body)}`);
    const dataDir = stage.env.KX_DATA_DIR;
    if (dataDir && readdirSync(join(stage.root, dataDir)).length === 0)
      throw new Error(`${dataDir} is empty: the database went elsewhere`);
    if (dataDir && process.getuid?.() === 0 && statSync(join(stage.root, dataDir)).uid !== NODE_UID)
      throw new Error(`${dataDir} is not the node user's`);
    server.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
    if (code !== 0) throw new Error(`SIGTERM: the server ended with ${code}; it said:\n${output}`);
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
  }
}

main().catch((error: unknown) => {
  console.error(`image rehearsal: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
