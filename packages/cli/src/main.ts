import { runCli } from "./run-cli"

/** Entry point from the TypeScript sources (`tsx packages/cli/src/main.ts`); the bin runs bundle-entry.ts's bundle. */
await runCli()
