import { type cluster, parseDuration } from "@kubesim/core"
import type { IpvsSpec } from "../format/schema"

/**
 * `cluster.ipvs` as the core's `proxy.ipvs` (KubeProxyIPVSConfiguration): fields left out keep the core's defaults
 * (scheduler rr, timeouts 0 = the kernel's). A scheduler of "" is upstream's "the default algorithm (currently
 * rr)" (pkg/proxy/ipvs/proxier.go NewProxier), so it is left to that default too.
 */
export const ipvsConfigOf = (s: IpvsSpec): Partial<cluster.IpvsProxyConfig> => ({
  ...(s.scheduler !== undefined && s.scheduler !== "" ? { scheduler: s.scheduler as cluster.IpvsProxyConfig["scheduler"] } : {}),
  ...(s.tcpTimeout !== undefined ? { tcpTimeout: parseDuration(s.tcpTimeout) } : {}),
  ...(s.tcpFinTimeout !== undefined ? { tcpFinTimeout: parseDuration(s.tcpFinTimeout) } : {}),
  ...(s.udpTimeout !== undefined ? { udpTimeout: parseDuration(s.udpTimeout) } : {}),
})
