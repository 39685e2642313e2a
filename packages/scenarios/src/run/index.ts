export { type RunJson, KUBESIM_VERSION, renderRunJson } from "./run-json"
export { type RunDirContent, writeRunDir, runDirPath } from "./write-run-dir"
export { renderSummary } from "./summary"
