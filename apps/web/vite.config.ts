import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { qianbaoPwa } from './pwa/plugin.ts';

// `npm run dev` in apps/web proxies the API to a server started with `npm start` (port 8080).
const API_TARGET = process.env.QIANBAO_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), qianbaoPwa()],
  build: {
    target: 'es2022',
    // antd-mobile plus React is a few hundred kB; it is all needed for the first screen anyway.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/v1': API_TARGET,
      '/dev': API_TARGET,
    },
  },
});
