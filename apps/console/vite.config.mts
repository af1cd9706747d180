/// <reference types="vitest/config" />
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The controller a `vite` dev server proxies to (docs/console.md): LATTICE_CONSOLE_API, default :8080.
const here = path.dirname(fileURLToPath(import.meta.url));
const api = process.env.LATTICE_CONSOLE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here,
  // Served by the controller at /console (same origin as the API).
  base: '/console/',
  plugins: [react()],
  // Pure domain code shared with the controller (GNS selector matching and validation).
  resolve: { alias: { '@lattice/domain': path.resolve(here, '../../libs/domain/src') } },
  build: {
    outDir: path.resolve(here, '../../dist/console'),
    emptyOutDir: true,
    // One bundle per library family keeps the first paint light and caches well (hashed names).
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (!id.includes('node_modules')) return undefined;
          if (id.includes('cytoscape')) return 'graph';
          if (id.includes('recharts') || id.includes('d3-') || id.includes('victory')) return 'charts';
          if (id.includes('@mantine')) return 'ui';
          return 'vendor';
        },
      },
    },
  },
  server: {
    proxy: {
      '/graphql': api,
      '/v1': api,
      '/console/session': api,
    },
  },
  test: {
    root: here,
    environment: 'jsdom',
    setupFiles: ['./src/test-setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
