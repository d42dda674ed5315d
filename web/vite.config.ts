import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the app on :5173 and sends API calls, and LiveKit's signalling (which the
// Go server forwards to LiveKit, LIVEKIT_SIGNAL_VIA_APP), to the Go server on :3000.
//
// Chunks: the app's entry (landing, sign-in, dashboard, join) with React in a vendor chunk of
// its own, which stays cached across app releases; the call, the lecture page and the
// administration load on demand (pages/lazy.ts), and the call's LiveKit libraries come in one
// more vendor chunk that only the call needs.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/rtc': { target: 'http://127.0.0.1:3000', ws: true } } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // livekit-client alone is about 530 kB minified, in the call's chunk; more than this means
    // something large crept in.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser)[\\/]/,
              priority: 2,
            },
            // The QR code of the LAN mode's page for students' devices (pages/Trust.tsx).
            { name: 'qrcode', test: /[\\/]node_modules[\\/]qrcode-generator[\\/]/, priority: 2 },
            // Everything else from node_modules is the call's: livekit-client, its components
            // and what they use.
            { name: 'livekit', test: /[\\/]node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
});
