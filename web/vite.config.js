// Build: `npm run build` writes the app to ../build/web, which `build/qiao serve` serves at /,
// and the public portal (portal/index.html: plain JavaScript, no Vue) to ../build/web/portal/,
// served at /portal/.
// Dev: `npm run dev` serves the app with hot reload and proxies /api to a local qiao.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: './',
  build: {
    outDir: '../build/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        portal: fileURLToPath(new URL('./portal/index.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
