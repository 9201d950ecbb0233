import { execFileSync } from 'node:child_process';

/** CLI tests run the real program: build it once before the suite. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
