// Type-aware lint: the rules that catch real bugs in async pipeline code (floating promises,
// misused promises) need type information.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'drizzle/**',
      'fixtures/**',
      'node_modules/**',
      'bin/**',
      '*.config.*',
      'test/helpers/*.mjs',
      'test/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    // The dashboard's script runs in the browser as written: no types, no build.
    files: ['src/http/ui/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      sourceType: 'script',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'sessionStorage', 'fetch', 'URLSearchParams']
          .concat(['getComputedStyle', 'Node', 'uPlot', 'console', 'URL', 'setTimeout'])
          .map((name) => [name, 'readonly']),
      ),
    },
  },
  ...layers({
    // Imports point inward, toward core/ (STYLE.md): each folder, what it must not import.
    'src/core/**': ['../*'],
    'src/sources/**': ['db', 'engine', 'identity', 'queries', 'http', 'cli'],
    'src/db/**': ['sources', 'engine', 'identity', 'queries', 'http', 'cli'],
    'src/identity/**': ['sources', 'engine', 'queries', 'http', 'cli'],
    'src/engine/**': ['sources', 'queries', 'http', 'cli'],
    'src/queries/**': ['sources', 'identity', 'http', 'cli'],
    'src/http/**': ['sources', 'engine', 'identity', 'cli'],
  }),
);

/** One `no-restricted-imports` block per folder; a folder name bans any path through it. */
function layers(rules) {
  return Object.entries(rules).map(([files, banned]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: banned.map((name) => ({
            group: [name.includes('/') ? name : `**/${name}/*`],
            message: `${files.replace('/**', '/')} must not import ${name === '../*' ? 'outside itself' : `${name}/`}: see STYLE.md, Layout`,
          })),
        },
      ],
    },
  }));
}
