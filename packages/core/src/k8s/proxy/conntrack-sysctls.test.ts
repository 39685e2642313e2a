import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND } from "../../sim/index"
import { applyKubeProxyConntrack, conntrackMax, DEFAULT_KUBE_PROXY_CONNTRACK, type NodeConntrackSysctls } from "./conntrack-sysctls"

const S = NANOS_PER_SECOND
/** A 64-bit kernel on a machine with more than 4 GiB, untouched (nf_conntrack_core.c, nf_conntrack_proto_tcp.c). */
const KERNEL: NodeConntrackSysctls = { max: 262144, hashsize: 262144, tcpEstablished: 432000 * S, tcpCloseWait: 60 * S }

describe("kube-proxy conntrack sysctls (cmd/kube-proxy/app/server.go getConntrackMax, conntrack.go)", () => {
  it("defaults.go: maxPerCore 32768, min 131072, established 24 h, close_wait 1 h", () => {
    expect(DEFAULT_KUBE_PROXY_CONNTRACK).toEqual({ maxPerCore: 32768, min: 131072, tcpEstablishedTimeout: 86400 * S, tcpCloseWaitTimeout: 3600 * S })
  })

  it("getConntrackMax: maxPerCore × cores unless min is larger; 0 when maxPerCore is 0", () => {
    const d = DEFAULT_KUBE_PROXY_CONNTRACK
    expect([1, 2, 4, 5, 8, 16].map((cores) => conntrackMax(d, cores))).toEqual([131072, 131072, 131072, 163840, 262144, 524288])
    expect(conntrackMax({ ...d, maxPerCore: 0 }, 64)).toBe(0)
  })

  it("raises, never lowers (setIntSysCtl: `val != value && val < value`): on a stock kernel only close_wait changes below 9 cores", () => {
    expect(applyKubeProxyConntrack(KERNEL, DEFAULT_KUBE_PROXY_CONNTRACK, 8)).toEqual({ ...KERNEL, tcpCloseWait: 3600 * S })
    // 16 cores: nf_conntrack_max 524288; hashsize stays, being ≥ max/4 (SetMax).
    expect(applyKubeProxyConntrack(KERNEL, DEFAULT_KUBE_PROXY_CONNTRACK, 16)).toEqual({ ...KERNEL, max: 524288, tcpCloseWait: 3600 * S })
    // A small kernel table and short timeouts are raised to kube-proxy's values, hashsize to max/4.
    const small: NodeConntrackSysctls = { max: 65536, hashsize: 16384, tcpEstablished: 3600 * S, tcpCloseWait: 60 * S }
    expect(applyKubeProxyConntrack(small, DEFAULT_KUBE_PROXY_CONNTRACK, 2)).toEqual({ max: 131072, hashsize: 32768, tcpEstablished: 86400 * S, tcpCloseWait: 3600 * S })
    // kind's kube-proxy config: maxPerCore 0 and zero timeouts leave everything alone.
    expect(applyKubeProxyConntrack(small, { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0, tcpCloseWaitTimeout: 0 }, 2)).toEqual(small)
  })

  it("rejects a CPU count that is not a whole number ≥ 1", () => {
    expect(() => applyKubeProxyConntrack(KERNEL, DEFAULT_KUBE_PROXY_CONNTRACK, 0)).toThrow(/node CPU count: expected a whole number ≥ 1, got 0/)
  })
})
