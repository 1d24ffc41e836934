import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console builds to dist/, served by the center at `/`; `npm run dev` proxies the API to a running center. */
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: { '/api': { target: process.env.SDE_CENTER_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
