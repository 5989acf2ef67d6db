import { defineConfig } from "vite";

export default defineConfig({
  // Relative URLs: the same build serves at / and beneath a proxy's path (/atajo/).
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      output: {
        // The terminal and the Socket.IO client in chunks of their own: cached apart from
        // atajo's code, which changes more often, and measured apart (docs/benchmarks.md).
        manualChunks(id) {
          // The shell terminals' add-ons stay with them, in the chunk loaded on demand.
          if (/node_modules\/@xterm\/(xterm|addon-fit)\//.test(id)) return "xterm";
          if (/node_modules\/(socket\.io-|engine\.io-|@socket\.io)/.test(id)) return "socketio";
          return undefined;
        },
      },
    },
  },
});
