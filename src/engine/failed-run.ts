import type { RunResult } from './runner.js';

/**
 * A run that failed travels to the CLI's edge on the error that ended it, so that the edge
 * can print the run and map the error to its exit code. This module has no runtime imports:
 * the edge reads it without loading the engine.
 */
export function attachRun<E extends Error>(error: E, run: RunResult): E & { run: RunResult } {
  return Object.assign(error, { run });
}

/** The run a failed `ingest` or `resume` left, if the error carries one. */
export function getFailedRun(error: unknown): RunResult | undefined {
  return (error as { run?: RunResult } | null)?.run;
}

/**
 * The runs `kx resume` finished before an error stopped it: they stay in its output, beside
 * the run that failed or the runs it left.
 */
export function attachResumed<E extends object>(error: E, runs: RunResult[]): E {
  return Object.assign(error, { resumed: runs });
}

/** The runs `kx resume` finished before this error, if it stopped a resume. */
export function getResumed(error: unknown): RunResult[] | undefined {
  return (error as { resumed?: RunResult[] } | null)?.resumed;
}
