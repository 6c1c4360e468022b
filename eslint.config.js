// Layers are enforced here, as VS Code does: core/ and sandbox/ never import 'electron' or a shell; the core reaches
// the sandbox only through its index (from core.ts and embedded/), the sandbox nothing of core/ but its SQLite
// wrapper; common/ imports nothing outside itself and no Node built-in; the renderer imports nothing from electron/
// but types from api.ts and values from common/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const ONLY_SHELLS_IMPORT_ELECTRON = { name: 'electron', message: "only main.ts, preload.ts and shell/ may import 'electron'" };
// relative imports of a shell module, from anywhere under electron/
const SHELL_MODULES = '(^|/)(main|preload|host|cli|node-platform)(\\.js)?$|(^|/)(commands|shell)/';
const CORE_NO_ELECTRON = { ...ONLY_SHELLS_IMPORT_ELECTRON, message: 'core/ runs in plain Node: the shells (main.ts, shell/) own Electron.' };
const CORE_NO_SHELL = { regex: SHELL_MODULES, message: 'core/ never imports a shell (main, preload, host, cli, commands/, shell/).' };
// the sandbox is a sibling product: the core reaches it through its public index, and only from the composition root
const CORE_NO_SANDBOX_INTERNALS = {
  regex: '^(\\.\\./)+sandbox/(?!index(\\.js)?$)',
  message: 'core/ uses the sandbox only through its public index (sandbox/index.js).',
};
const CORE_SANDBOX_FROM_ROOT_ONLY = {
  regex: '^(\\.\\./)+sandbox/index(\\.js)?$',
  message: 'only the composition root (core.ts) and embedded/ start the sandbox.',
};

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
  // In flat config a later block's options for a rule replace an earlier one's, so each layer's block lists
  // every restriction of its files; test/unit/lint-layers.test.ts proves each one bites with probe imports.
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/shell/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [ONLY_SHELLS_IMPORT_ELECTRON] }],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [CORE_NO_ELECTRON],
          patterns: [CORE_NO_SHELL, CORE_NO_SANDBOX_INTERNALS, CORE_SANDBOX_FROM_ROOT_ONLY],
        },
      ],
    },
  },
  {
    // the composition root and the embedded demo are where the core meets the sandbox: through its index only
    files: ['electron/core/core.ts', 'electron/core/embedded/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [CORE_NO_ELECTRON], patterns: [CORE_NO_SHELL, CORE_NO_SANDBOX_INTERNALS] }],
    },
  },
  {
    files: ['electron/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ ...ONLY_SHELLS_IMPORT_ELECTRON, message: 'sandbox/ runs in plain Node: the shells (main.ts, shell/) own Electron.' }],
          patterns: [
            { regex: SHELL_MODULES, message: 'sandbox/ never imports a shell (main, preload, host, cli, commands/, shell/).' },
            {
              // the core's SQLite wrapper is the one shared piece of infrastructure (see sandbox/README.md)
              regex: '^(\\.\\./)+core/(?!store/sqlite(-types)?(\\.js)?$)',
              message: 'sandbox/ is a product of its own: it uses common/ and the core\'s SQLite wrapper (core/store/sqlite.ts), nothing else from core/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ONLY_SHELLS_IMPORT_ELECTRON],
          patterns: [
            { regex: '^node:', message: 'common/ runs in the renderer too: no Node built-ins.' },
            { regex: '^\\.\\./', message: 'common/ is innermost: it imports nothing from outside common/.' },
          ],
        },
      ],
    },
  },
  {
    // the shells speak the contract (core.call) like every UI: no reaching into the services behind it
    files: ['electron/main.ts', 'electron/host.ts', 'electron/cli.ts', 'electron/commands/**/*.ts', 'electron/shell/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='services']", message: 'shells use core.call(), not core.services.' },
      ],
    },
  },
  {
    // CommonJS on purpose (store/writer-worker.cjs: a worker started from its text)
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
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
              regex: '(^|/)electron/(?!api$|common/)',
              message: 'the renderer talks to the core only through src/lib/api.ts (values from electron/common/ are fine)',
            },
            { regex: '(^|/)electron/api$', allowTypeImports: true, message: 'import only types from electron/api.ts' },
          ],
        },
      ],
      // a <button> without a type submits its form: clicking a template in the composer published it
      'svelte/button-has-type': ['error', { button: true, submit: true, reset: false }],
    },
  },
  {
    files: ['electron/api.ts', 'electron/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ONLY_SHELLS_IMPORT_ELECTRON],
          patterns: [
            { regex: '(^|/)(core|sandbox|commands|shell)/', message: 'the contract is innermost: it imports only common/ and itself.' },
            { regex: SHELL_MODULES, message: 'the contract is innermost: it imports only common/ and itself.' },
            { regex: '^node:', message: 'the contract runs in the renderer too (types) and the preload: no Node built-ins.' },
          ],
        },
      ],
    },
  },
);
