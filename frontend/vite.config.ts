/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The API serves the built app at "/" (src/modelport/api/spa.py); in development, `npm run dev`
// proxies the API to a `modelport serve` on port 8000.
export default defineConfig({
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    globals: true,
    // Typing with user-event into MUI fields takes seconds on a busy machine (make test runs the
    // Python suite alongside): 5 s, the default, timed out there.
    testTimeout: 20_000,
  },
});
