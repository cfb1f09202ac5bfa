import { defineConfig } from 'vitest/config';

// The console is static files: `npm run build` writes them to dist/, which any web server can
// serve; `npm run dev` serves them with reloading (scripts/dev.sh runs it beside the chain).
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true },
  // @polkadot/api is most of the one bundle (about 1 MB, 390 kB gzipped; web/README.md).
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  test: { include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'], environment: 'node' },
});
