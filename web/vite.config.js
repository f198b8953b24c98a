// Build: `npm run build` writes the app to ../build/web, which `build/qiao serve` serves at /.
// Dev: `npm run dev` serves the app with hot reload and proxies /api to a local qiao.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: './',
  build: {
    outDir: '../build/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
