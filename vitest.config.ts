import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests spawn real kx processes; PGlite boots in ~0.5 s per database.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/each-test.ts'],
    // Most test files wait on kx child processes, which do the work: one file more than there
    // are cores keeps them busy (vitest's default is one fewer, a single worker on two cores).
    maxWorkers: availableParallelism() + 1,
    // One worker process runs several files in turn: a new process per file paid Node's and
    // vitest's start-up and PGlite's compile each time. Tests share no module state (no
    // singletons, no env changes), so they need no fresh process.
    isolate: false,
    // PGlite's WebAssembly on V8's baseline compiler: see NODE_FLAGS in helpers/cli.ts.
    execArgv: ['--liftoff-only'],
  },
});
