import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runKx } from './helpers/cli.js';
import { makeScratchDir } from './helpers/scratch.js';

/** There is no Docker engine here: check the Dockerfile against what npm pack and the CLI expect. */
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  files: string[];
  engines: { node: string };
};

describe('Dockerfile', () => {
  it('passes dockerfilelint', () => {
    const out = execFileSync('npx', ['dockerfilelint', 'Dockerfile'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(out).toContain('Issues: None found');
  });

  it('copies exactly the package files into the runtime stage, with production dependencies only', () => {
    const copied = [
      ...runtime.matchAll(/^COPY (?:--from=build )?(?:\/app\/)?(\S+) \.\/(\S+)$/gm),
    ].map((m) => m[2]);
    expect(copied.sort()).toEqual([...pkg.files].sort());
    expect(runtime).toContain('npm ci --omit=dev');
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: repoRoot,
        encoding: 'utf8',
      }),
    ) as { files: { path: string }[] }[];
    const tops = new Set(packed[0]!.files.map((f) => f.path.split('/')[0]!));
    for (const top of tops)
      expect(['package.json', 'README.md', 'LICENSE', ...pkg.files], top).toContain(top);
    expect(tops).toContain('dist');
    // A new data dir is unpacked from the seed that `npm run build` writes, in the image too.
    expect(packed[0]!.files.map((f) => f.path)).toContain('dist/pglite-seed.tgz');
    expect(dockerfile.slice(0, dockerfile.indexOf('AS runtime'))).toMatch(/^RUN npm run build$/m);
    expect(tops).toContain('drizzle');
    expect(tops).toContain('LICENSE'); // package.json says MIT
  });

  it('ships source maps that carry their sources (src/ is not in the package)', () => {
    const maps = execFileSync('find', ['dist', '-name', '*.js.map'], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(maps.length).toBeGreaterThan(10);
    for (const path of maps) {
      const map = JSON.parse(readFileSync(join(repoRoot, path), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      expect(map.sourcesContent?.length, path).toBe(map.sources.length);
      expect(
        map.sourcesContent!.every((c) => typeof c === 'string' && c.length > 0),
        path,
      ).toBe(true);
    }
  });

  it('runs as a non-root user, checks /health, bakes in no secret', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/HEALTHCHECK[\s\S]*127\.0\.0\.1:8000\/health/);
    expect(dockerfile).not.toMatch(/^(ENV|ARG)[^\n]*(TOKEN|API_KEY|PASSWORD|DATABASE_URL)/m);
    const node = /^FROM node:(\d+)/m.exec(dockerfile)?.[1];
    expect(Number(node)).toBeGreaterThanOrEqual(Number(/\d+/.exec(pkg.engines.node)![0]));
  });

  it('starts a command the CLI has, with options it accepts', async () => {
    expect(runtime).toContain('ENTRYPOINT ["node", "bin/kx.js"]');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
    expect(cmd[0]).toBe('serve');
    const help = await runKx([cmd[0]!, '--help']);
    expect(help.code).toBe(0);
    for (const option of cmd.filter((a) => a.startsWith('--')))
      expect(help.stdout).toContain(option);
    // Binding 0.0.0.0 without a token is refused: the image cannot start an open API by accident.
    const open = await runKx(cmd, { KX_DATA_DIR: join(repoRoot, '.kx-docker-test-unused') });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('without KX_API_TOKEN');
  });
});

describe('the packed package', () => {
  it('has no install-time script: prepare builds a clone, and is left out of the tarball', () => {
    // A copy of the package, whose build writes nothing: the real one would rebuild the dist
    // that other tests are running.
    const dir = makeScratchDir('kx-pack-');
    try {
      const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      expect(manifest.scripts.prepare).toBe('npm run build');
      manifest.scripts.build = 'node -e ""';
      const original = `${JSON.stringify(manifest, null, 2)}\n`;
      cpSync(join(repoRoot, 'bin'), join(dir, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'package.json'), original);
      const tarball = execFileSync('npm', ['pack', '--silent'], {
        cwd: dir,
        encoding: 'utf8',
      }).trim();
      const packed = JSON.parse(
        execFileSync('tar', ['-xzOf', join(dir, tarball), 'package/package.json'], {
          encoding: 'utf8',
        }),
      ) as { scripts: Record<string, string> };
      for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
        expect(packed.scripts, script).not.toHaveProperty(script);
      expect(packed.scripts.test).toBe(manifest.scripts.test); // the rest is kept
      // The working package.json is back as it was.
      expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(original);
      expect(existsSync(join(dir, '.package.json.unpacked'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
