import type { UdpCleanup } from "../rules/node-rules"
import type { KernelTopology } from "./kernel-topology"
import { CommandFailed } from "./run-command"

/** One UDP flow as `conntrack -L -p udp` prints it: the original destination and the reply's source. */
interface UdpFlow {
  readonly origDst: string
  readonly origDport: number
  readonly replySrc: string
}

/** Parses `conntrack -L` lines: the first src/dst/dport are the original tuple, the second src the reply's. */
export const parseUdpFlows = (text: string): ReadonlyArray<UdpFlow> => {
  const flows: Array<UdpFlow> = []
  for (const line of text.split("\n")) {
    if (!line.startsWith("udp")) continue
    const dst = [...line.matchAll(/\bdst=(\S+)/g)].map((m) => m[1]!)
    const dport = [...line.matchAll(/\bdport=(\d+)/g)].map((m) => Number(m[1]))
    const src = [...line.matchAll(/\bsrc=(\S+)/g)].map((m) => m[1]!)
    if (dst[0] === undefined || dport[0] === undefined || src[1] === undefined) throw new Error(`conntrack -L: cannot read ${JSON.stringify(line)}`)
    flows.push({ origDst: dst[0], origDport: dport[0], replySrc: src[1] })
  }
  return flows
}

/**
 * kube-proxy's UDP cleanup in a node namespace with the real conntrack tool, as pkg/proxy/conntrack/cleanup.go
 * CleanStaleEntries does over netlink: list the UDP entries; an entry whose original destination `ip:port` is a
 * service frontend and whose reply source is not one of its serving endpoints is deleted by the filter
 * (orig-dst, orig-port-dst, reply-src) (filterForIPPortNAT); one whose original destination port is a NodePort
 * by (orig-port-dst, reply-src) (filterForPortNAT). Returns how many deletions were asked for.
 */
export const cleanStaleUdpEntries = (topo: KernelTopology, node: string, cleanup: UdpCleanup): number => {
  const flows = parseUdpFlows(topo.execInNode(node, ["conntrack", "-L", "-p", "udp"]))
  const filters = new Set<string>()
  for (const f of flows) {
    const byIp = cleanup.serviceIPs.get(`${f.origDst}:${f.origDport}`)
    if (byIp !== undefined && !byIp.has(f.replySrc)) filters.add(`--orig-dst ${f.origDst} --orig-port-dst ${f.origDport} --reply-src ${f.replySrc}`)
    const byPort = cleanup.nodePorts.get(f.origDport)
    if (byPort !== undefined && !byPort.has(f.replySrc)) filters.add(`--orig-port-dst ${f.origDport} --reply-src ${f.replySrc}`)
  }
  for (const filter of filters) {
    try {
      topo.execInNode(node, ["conntrack", "-D", "-p", "udp", ...filter.split(" ")])
    } catch (e) {
      // The entry may already be gone (an earlier filter matched it too): conntrack exits 1 with nothing deleted.
      if (!(e instanceof CommandFailed) || !/0 flow entries/.test(e.stderr)) throw e
    }
  }
  return filters.size
}
