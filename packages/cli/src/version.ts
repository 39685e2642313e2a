/** The version written into run.json (docs/run-directory.md `kubesimVersion`) and printed by `--version`. */
export const KUBESIM_VERSION = "0.1.0"
