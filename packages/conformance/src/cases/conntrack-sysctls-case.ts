import { availableParallelism } from "node:os"
import { applyKubeProxyConntrack, DEFAULT_KUBE_PROXY_CONNTRACK, type NodeConntrackSysctls } from "../kubesim/core-bridge"
import { caseResult, type CaseResult } from "./case-result"
import { clusterIpOf, type ConformanceRun } from "./conformance-run"

const S = 1_000_000_000
const SYSCTL = "/proc/sys/net/netfilter/"

/**
 * kube-proxy's conntrack sysctls (cmd/kube-proxy/app/server_linux.go setupConntrack, conntrack.go), kernel vs
 * kubesim, on node `node`: kubesim's kernel defaults must be this kernel's (tcp_timeout_established,
 * tcp_timeout_close_wait; nf_conntrack_max and _buckets depend on the machine's memory and a difference is only
 * reported); kube-proxy's start — which only raises values — gives the
 * same sysctls on both (the kernel side writes them into the node's namespace: the timeouts are per network
 * namespace; nf_conntrack_max and _buckets are read-only outside the initial namespace, nf_conntrack_standalone.c,
 * so a raise of those is reported, not made); and a held connection's ESTABLISHED entry gets the same timeout.
 */
export const conntrackSysctlsCase = async (run: ConformanceRun, node: string, service: string): Promise<CaseResult> => {
  run.ready()
  const problems: Array<string> = []
  const read = (name: string) => Number(run.kernel.execInNode(node, ["cat", `${SYSCTL}${name}`]).trim())
  const kernelNow = (): NodeConntrackSysctls => ({
    max: read("nf_conntrack_max"),
    hashsize: read("nf_conntrack_buckets"),
    tcpEstablished: read("nf_conntrack_tcp_timeout_established") * S,
    tcpCloseWait: read("nf_conntrack_tcp_timeout_close_wait") * S,
  })
  // The kernel's values before kube-proxy: a fresh namespace holds the kernel defaults (timeouts) and the global
  // table size. kubesim's node starts from its own defaults; they must agree.
  const before = kernelNow()
  const cpus = availableParallelism()
  const want = applyKubeProxyConntrack(before, DEFAULT_KUBE_PROXY_CONNTRACK, cpus)
  const kubesim = run.kubesim.setupConntrack(node, cpus)
  const notes: Array<string> = []
  for (const [key, file] of [["tcpEstablished", "nf_conntrack_tcp_timeout_established"], ["tcpCloseWait", "nf_conntrack_tcp_timeout_close_wait"]] as const) {
    if (want[key] !== before[key]) run.kernel.execInNode(node, ["sysctl", "-qw", `net.netfilter.${file}=${want[key] / S}`])
  }
  if (want.max !== before.max || want.hashsize !== before.hashsize) notes.push(`max/buckets ${want.max}/${want.hashsize} not writable in a netns`)
  const after = kernelNow()
  const show = (s: NodeConntrackSysctls) => `max ${s.max} buckets ${s.hashsize} est ${s.tcpEstablished / S}s cw ${s.tcpCloseWait / S}s`
  for (const key of ["tcpEstablished", "tcpCloseWait"] as const) {
    if (after[key] !== kubesim[key]) problems.push(`${key}: kernel ${after[key] / S} s after kube-proxy's start, kubesim ${kubesim[key] / S} s`)
  }
  // The kernel sizes its table by memory (nf_conntrack_init_start); kubesim models a machine with more than 4 GiB.
  if (before.max !== kubesim.max || before.hashsize !== kubesim.hashsize) notes.push(`this kernel's table is sized for its memory`)

  // A held connection through the node's DNAT: its ESTABLISHED entry times out after the configured seconds.
  const target = { host: clusterIpOf(run.state, service), port: 80 }
  const [kernelLeft, kubesimLeft] = await run.onBoth(async (plane) => {
    const o = await plane.open("ct-sysctls", "busybox", target, null)
    if (!("pod" in o)) problems.push(`${plane.label}: the held connection failed: ${o.error}`)
    const left =
      plane.label === "kernel"
        ? run.kernel
            .execInNode(node, ["conntrack", "-L", "-p", "tcp", "--orig-dst", target.host])
            .split("\n")
            .filter((l) => l.includes("ESTABLISHED"))
            .map((l) => Number(l.trim().split(/\s+/)[2]))
        : run.kubesim.establishedTimeouts(node, target.host)
    await plane.close("ct-sysctls")
    return left
  })
  const expected = after.tcpEstablished / S
  for (const [label, left] of [["kernel", kernelLeft], ["kubesim", kubesimLeft]] as const) {
    if (left.length !== 1 || left[0]! > expected || left[0]! < expected - 5) {
      problems.push(`${label}: the held connection's entry has ${JSON.stringify(left)} s left, expected ${expected} s (−5)`)
    }
  }
  return caseResult(
    {
      case: `conntrack sysctls after kube-proxy's start (${cpus} CPUs)`,
      kernel: `${show(after)}; held ${kernelLeft.join(",")}s${notes.length > 0 ? `; ${notes.join("; ")}` : ""}`,
      kubesim: `${show(kubesim)}; held ${kubesimLeft.join(",")}s`,
      pValue: null,
    },
    problems,
  )
}
