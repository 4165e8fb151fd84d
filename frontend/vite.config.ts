import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// `npm run dev` serves the app with hot reload and forwards the API to the gateway that
// `make local` runs; the production build is served by that gateway itself.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
  // Material UI and React make a ~650 kB main chunk (~200 kB gzipped); the charts load lazily.
  build: { chunkSizeWarningLimit: 800 },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // A hang guard, not a speed check: on a shared 2-core machine a page test that renders
    // Material UI takes seconds, and the 5 s default failed tests that were merely slow.
    testTimeout: 20_000,
  },
});
