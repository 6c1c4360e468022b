// Layers are enforced here, as VS Code does: core/ never imports 'electron' or a shell; the renderer
// imports nothing from electron/ but types from api.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'renderer/dist/**', 'node_modules/**', 'test-results/**', 'release/**', 'resources/firmware/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'core/ runs in plain Node: the shells (main.ts, shell/) own Electron.' }],
          patterns: [
            { group: ['**/main.js', '**/host.js', '**/cli.js', '**/preload.js', '**/commands/*'], message: 'core/ never imports a shell.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/shell/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: "only main.ts, preload.ts and shell/ may import 'electron'" }] },
      ],
    },
  },
  {
    // Playwright fixtures must destructure their first argument, even when they need nothing from it
    files: ['test/e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    // code passed to page.evaluate runs in the browser
    files: ['test/e2e/**/*.ts', 'test/bench/**/*.{js,mjs,ts}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/electron/*', '!**/electron/api'],
              message: 'the renderer talks to the core only through src/lib/api.ts',
            },
            { group: ['**/electron/api'], allowTypeImports: true, message: 'import only types from electron/api.ts' },
          ],
        },
      ],
      // a <button> without a type submits its form: clicking a template in the composer published it
      'svelte/button-has-type': ['error', { button: true, submit: true, reset: false }],
    },
  },
);
