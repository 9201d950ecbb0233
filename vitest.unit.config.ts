import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the pure parts (core, sources' parsing and mapping, identity rules), no
 * database and no build, for the edit–test loop. `npm test` runs these too.
 */
export default defineConfig({
  test: {
    include: [
      'test/core/**/*.test.ts',
      'test/sources/csv-mapping.test.ts',
      'test/sources/csv-reader.test.ts',
      'test/sources/http.test.ts',
      'test/sources/api-timestamps.test.ts',
      'test/identity/rules.test.ts',
    ],
  },
});
