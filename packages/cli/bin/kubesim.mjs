#!/usr/bin/env node
// The `kubesim` bin: runs dist/kubesim.mjs, the esbuild bundle of the TypeScript sources, (re)building it first
// when a source is newer (bundle.mjs). `--verbose` turns source maps on, so internal errors point into src/.
import { ensureBundle } from "./bundle.mjs"

if (process.argv.includes("--verbose")) process.setSourceMapsEnabled(true)
let bundle
try {
  bundle = await ensureBundle()
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(70)
}
await import(bundle)
