// The console's build: `vite build --config apps/console/vite.config.mts` writes dist/apps/console (hashed file
// names, no source maps, nothing inline that the content security policy would refuse).
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, '../../dist/apps/console'),
    emptyOutDir: true,
    sourcemap: false,
    // No inline module-preload polyfill: the content security policy allows scripts from this origin only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
  },
});
