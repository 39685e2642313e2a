import { probeKernelSupport, type KernelSupport } from "../src/kernel/kernel-support"

/**
 * Whether the kernel tests run here. When the machine cannot (no root, no netns, no iptables) they are
 * skipped under a test name that says why — never silently — unless CI or KUBESIM_CONFORMANCE_REQUIRED is
 * set, where that is a failure: CI machines here have root and network namespaces.
 */
export const kernelSupport: KernelSupport = probeKernelSupport()

export const kernelRequired = (process.env["CI"] ?? "") !== "" || process.env["KUBESIM_CONFORMANCE_REQUIRED"] === "1"

export const skipReason = (): string | null => {
  if (kernelSupport.ok) return null
  if (kernelRequired) throw new Error(`kernel conformance is required here but cannot run: ${kernelSupport.reason}`)
  console.warn(`kernel conformance SKIPPED: ${kernelSupport.reason}`)
  return kernelSupport.reason
}
