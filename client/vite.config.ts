// Builds the SPA into build/client, which the Fastify server serves. No React plugin is needed:
// esbuild compiles JSX with the automatic runtime (and it keeps the install small under npm 10).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: path.join(here, '..', 'build', 'client'),
    emptyOutDir: true,
    // No source maps in the production build: they would publish the whole client source (a dev
    // server, `npm run dev:client`, has its own).
    sourcemap: false,
    rollupOptions: {
      // react-router ships "use client" directives for React Server Components; meaningless here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8443',
      '/sip': { target: 'ws://localhost:8443', ws: true },
      '/socket.io': { target: 'ws://localhost:8443', ws: true },
    },
  },
});
