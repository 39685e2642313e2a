import { runCommand, tryCommand } from "./run-command"
import { NetnsRegistry } from "./netns-registry"
import { nextRunPrefix } from "./run-prefix"

/** Whether this machine can run the conformance suite against its kernel, and if not, why not. */
export type KernelSupport =
  | { readonly ok: true; readonly iptablesVersion: string }
  | { readonly ok: false; readonly reason: string }

// The matches and targets kube-proxy's iptables proxier writes (pkg/proxy/iptables/proxier.go); `nfacct` is
// left out because kube-proxy only uses it when the kernel has it (and these kernels do not).
const PROBE_RULES = `*nat
:KSC-PROBE - [0:0]
-A KSC-PROBE -m comment --comment "probe" -m statistic --mode random --probability 0.5000000000 -j RETURN
-A KSC-PROBE -m recent --name KSC-PROBE --rcheck --seconds 10 --reap -j RETURN
-A KSC-PROBE -m addrtype --dst-type LOCAL -m mark --mark 0x4000/0x4000 -j RETURN
-A KSC-PROBE -m recent --name KSC-PROBE --set -m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80
-A POSTROUTING -j MASQUERADE --random-fully
COMMIT
*filter
-A FORWARD -m conntrack --ctstate INVALID -j DROP
-A OUTPUT -p tcp -d 10.0.0.2 -j REJECT
COMMIT
`

const which = (tool: string): boolean => !(tryCommand(["sh", "-c", `command -v ${tool}`]) instanceof Error)

/**
 * Checks, in order: Linux, root, the `ip` and `iptables-restore` tools, creating a network namespace, and
 * loading every match/target kube-proxy uses into it. Leaves nothing behind.
 */
export const probeKernelSupport = (): KernelSupport => {
  if (process.platform !== "linux") return { ok: false, reason: `platform is ${process.platform}, not linux` }
  if (process.getuid?.() !== 0) return { ok: false, reason: "not running as root (network namespaces need it)" }
  for (const tool of ["ip", "iptables-restore", "iptables-save"]) {
    if (!which(tool)) return { ok: false, reason: `\`${tool}\` not found (apt-get install iptables iproute2)` }
  }
  const registry = new NetnsRegistry()
  try {
    const ns = registry.add(`${nextRunPrefix()}-probe`)
    runCommand(["ip", "netns", "exec", ns, "iptables-restore"], PROBE_RULES)
    const version = runCommand(["iptables-restore", "--version"]).stdout.trim()
    return { ok: true, iptablesVersion: version }
  } catch (e) {
    return { ok: false, reason: `cannot use network namespaces with netfilter here: ${(e as Error).message}` }
  } finally {
    registry.teardown()
  }
}
