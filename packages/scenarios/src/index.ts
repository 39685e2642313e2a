// The public face of @kubesim/scenarios: the scenario format (YAML and the equivalent TypeScript API), overrides
// shared by `--set` and variants, validation before a run, traffic and churn generators, the executor, run
// directories, the built-in library and the clients added to plain manifests.
export * from "./format/index"
export * from "./overrides/index"
export * from "./validate/index"
export * from "./traffic/index"
export * from "./churn/index"
export * from "./run/index"
export * from "./library/index"
export * from "./clients/index"
