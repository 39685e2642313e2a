import { existsSync } from "node:fs"
import { probeKernelSupport, type KernelSupport } from "../src/kernel/kernel-support"
import { sweepStaleNamespaces } from "../src/kernel/netns-registry"

/**
 * Whether the kernel tests run here, decided from the probe and the environment: when the machine cannot (no
 * root, no netns, no iptables) they are skipped under a test name that says why — never silently — unless
 * CI or KUBESIM_CONFORMANCE_REQUIRED=1 is set, where that is an error (CI machines here have both).
 */
export const decideSkip = (support: KernelSupport, env: Readonly<Record<string, string | undefined>>): string | null => {
  if (support.ok) return null
  const required = (env["CI"] ?? "") !== "" || env["KUBESIM_CONFORMANCE_REQUIRED"] === "1"
  if (required) throw new Error(`kernel conformance is required here but cannot run: ${support.reason}`)
  return support.reason
}

/** The skip reason for this machine (null: run), after sweeping namespaces left by dead runs. */
export const skipReason = (): string | null => {
  const reason = decideSkip(probeKernelSupport(), process.env)
  if (reason !== null) {
    console.warn(`kernel conformance SKIPPED: ${reason}`)
    return reason
  }
  const swept = sweepStaleNamespaces()
  if (swept.length > 0) console.warn(`removed ${swept.length} network namespaces left by dead runs: ${swept.join(" ")}`)
  return null
}

/**
 * Whether a case needing an extra tool (e.g. `conntrack`, apt package conntrack) runs: null when it is on the
 * PATH; otherwise the reason, warned about — and an error under CI / KUBESIM_CONFORMANCE_REQUIRED=1, like the
 * kernel tests themselves.
 */
export const toolSkipReason = (tool: string, env: Readonly<Record<string, string | undefined>> = process.env): string | null => {
  const found = (env["PATH"] ?? "").split(":").some((dir) => dir !== "" && existsSync(`${dir}/${tool}`))
  if (found) return null
  const reason = `${tool} is not installed (apt package ${tool})`
  const required = (env["CI"] ?? "") !== "" || env["KUBESIM_CONFORMANCE_REQUIRED"] === "1"
  if (required) throw new Error(`kernel conformance is required here but cannot run: ${reason}`)
  console.warn(`kernel conformance case SKIPPED: ${reason}`)
  return reason
}
