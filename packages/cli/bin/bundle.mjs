// The kubesim bundle: dist/kubesim.mjs, built by esbuild from src/bundle-entry.ts and everything it imports
// (the workspace packages' TypeScript and the npm dependencies), rebuilt whenever a source is newer than it.
// dist/ is a cache: it is not committed, and deleting it only costs the next start a build (a second or two).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const CLI = fileURLToPath(new URL("../", import.meta.url))
const PACKAGES = dirname(CLI.replace(/\/$/, ""))
const ROOT = dirname(PACKAGES)
const DIST = join(CLI, "dist")
export const BUNDLE = join(DIST, "kubesim.mjs")
const ENTRY = join(CLI, "src", "bundle-entry.ts")
// The first line of the bundle names the sources it was built from: a moved checkout rebuilds.
const STAMP = `// kubesim bundle of ${PACKAGES}`

/** Newest modification time (ms) of everything the bundle is built from; library YAML is read at run time, so not it. */
const newestSource = () => {
  let newest = 0
  const note = (file) => {
    const t = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0
    if (t > newest) newest = t
  }
  eachSource(note)
  for (const pkg of readdirSync(PACKAGES)) note(join(PACKAGES, pkg, "package.json"))
  note(join(ROOT, "pnpm-lock.yaml")) // dependency versions
  note(fileURLToPath(import.meta.url)) // this build's settings
  return newest
}

const firstLine = (file) => {
  const fd = openSync(file, "r")
  try {
    const buf = Buffer.alloc(STAMP.length + 1)
    const n = readSync(fd, buf, 0, buf.length, 0)
    return buf.toString("utf8", 0, n).split("\n")[0]
  } finally {
    closeSync(fd)
  }
}

/** True when dist/kubesim.mjs exists, was built from these sources, and is at least as new as every one of them. */
export const bundleIsFresh = () => {
  const built = statSync(BUNDLE, { throwIfNoEntry: false })
  return built !== undefined && firstLine(BUNDLE) === STAMP && built.mtimeMs >= newestSource()
}

/** Every workspace TypeScript source (tests excluded), for the callback. */
const eachSource = (visit) => {
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) visit(p)
    }
  }
  for (const pkg of readdirSync(PACKAGES, { withFileTypes: true })) {
    const src = join(PACKAGES, pkg.name, "src")
    if (pkg.isDirectory() && existsSync(src)) walk(src)
  }
}

/**
 * esbuild plugin: in every workspace source except the entry, `import.meta.url` becomes the source file's own URL,
 * as it is when the sources run under tsx — so code that finds files beside itself (the scenario library, the
 * conformance agents) finds the same files from the bundle. The entry keeps the real one: the bundle's URL, which
 * the sweep uses to start its worker threads on the bundle. Only the few files that mention it go through the
 * plugin (a JavaScript round trip per file would slow the whole build down).
 */
const sourceUrls = () => {
  const files = []
  eachSource((p) => {
    if (p !== ENTRY && readFileSync(p, "utf8").includes("import.meta.url")) files.push(p)
  })
  const escape = (p) => p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
  return {
    name: "kubesim-source-urls",
    setup(build) {
      if (files.length === 0) return
      build.onLoad({ filter: new RegExp(`^(?:${files.map(escape).join("|")})$`) }, (args) => ({
        contents: readFileSync(args.path, "utf8").replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
        loader: "ts",
      }))
    },
  }
}

/**
 * Builds the bundle atomically: esbuild writes nothing itself; the bundle and its source map go to temporary
 * files in dist/ and are renamed into place, so a concurrent kubesim never reads a half-written bundle (two that
 * rebuild at once each rename a whole one). The bundle's mtime is set to when the build started, so a source
 * edited during the build makes the next start rebuild.
 */
export const buildBundle = async () => {
  const started = new Date()
  let esbuild
  try {
    esbuild = await import("esbuild")
  } catch (e) {
    throw new Error(`kubesim: cannot load esbuild to build ${BUNDLE} (run \`pnpm install\`): ${e instanceof Error ? e.message : String(e)}`)
  }
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    outfile: BUNDLE,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    sourcesContent: false,
    write: false,
    logLevel: "silent",
    plugins: [sourceUrls()],
    // Bundled CommonJS (@stdlib, parts of vega's dependencies) calls require() for Node's built-ins.
    banner: { js: `${STAMP}\nimport { createRequire as __kubesimCreateRequire } from "node:module";\nconst require = __kubesimCreateRequire(import.meta.url);` },
  }).catch((e) => {
    const errors = e?.errors ?? []
    const text = errors.length > 0 ? errors.map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ""}${m.text}`).join("\n") : String(e)
    throw new Error(`kubesim: building ${BUNDLE} from the TypeScript sources failed:\n${text}`)
  })
  mkdirSync(DIST, { recursive: true })
  const tag = `.tmp-${process.pid}-${started.getTime()}`
  const written = []
  try {
    // The map first, so the bundle that points at it never appears before it.
    for (const out of [...result.outputFiles].sort((a, b) => Number(a.path.endsWith(".mjs")) - Number(b.path.endsWith(".mjs")))) {
      const tmp = join(DIST, `${tag}-${out.path.slice(DIST.length + 1)}`)
      written.push(tmp)
      writeFileSync(tmp, out.contents)
      if (out.path === BUNDLE) utimesSync(tmp, started, started)
      renameSync(tmp, out.path)
    }
  } catch (e) {
    for (const f of written) rmSync(f, { force: true })
    throw e
  }
}

/** The bundle's URL, built first if it is missing or older than its sources. */
export const ensureBundle = async () => {
  if (!bundleIsFresh()) await buildBundle()
  return pathToFileURL(BUNDLE).href
}
