import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTemplate } from './template.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** tsc rewrites every output on each build, so one of them dates the last build. */
const builtMarker = join(root, 'dist', 'cli', 'main.js');

/**
 * CLI tests run the real program, and every test database starts as a copy of one migrated
 * template: initdb plus migrations cost 5–14 s on PGlite, a copy of the result 50 ms.
 */
export default async function setup(): Promise<() => Promise<void>> {
  buildIfStale();
  const template = await createTemplate(process.env.KX_TEST_DATABASE_URL);
  // Workers are started after this and inherit the environment (helpers/db.ts reads it).
  process.env.KX_TEST_TEMPLATE = template.name;
  return () => template.drop();
}

/** Rebuilds dist only when a file it is built from is newer than the last build. */
function buildIfStale(): void {
  const built = existsSync(builtMarker) ? statSync(builtMarker).mtimeMs : 0;
  const inputs = [join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')];
  if (built > 0 && newestMtime([join(root, 'src'), ...inputs]) < built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) {
      const children = readdirSync(path).map((name) => join(path, name));
      newest = Math.max(newest, newestMtime(children));
    }
  }
  return newest;
}
