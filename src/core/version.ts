import { readFileSync } from 'node:fs';

/** kx's version, from its package.json (`src/core` and `dist/core` are both two levels down). */
export const kxVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
