import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // the renderer's state modules (*.svelte.ts) use runes: compiled as the app's build does
        plugins: [svelte({ configFile: false })],
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // real brokers, ptys and the keychain: one file at a time keeps ports and CPU calm on 2 cores
          fileParallelism: false,
        },
      },
    ],
  },
});
