import { NANOS_PER_HOUR, NANOS_PER_SECOND, type Nanos } from "../../sim/index"

/**
 * kube-proxy's `conntrack` configuration (KubeProxyConntrackConfiguration), with the defaults of
 * pkg/proxy/apis/config/v1alpha1/defaults.go: maxPerCore 32768, min 131072, tcpEstablishedTimeout 24h,
 * tcpCloseWaitTimeout 1h. A zero maxPerCore or timeout leaves that sysctl alone (kind's kube-proxy config does
 * this for all three, since its nodes are containers).
 */
export interface KubeProxyConntrackConfig {
  readonly maxPerCore: number
  readonly min: number
  readonly tcpEstablishedTimeout: Nanos
  readonly tcpCloseWaitTimeout: Nanos
}

export const DEFAULT_KUBE_PROXY_CONNTRACK: KubeProxyConntrackConfig = {
  maxPerCore: 32768,
  min: 131072,
  tcpEstablishedTimeout: 24 * NANOS_PER_HOUR,
  tcpCloseWaitTimeout: NANOS_PER_HOUR,
}

/** The node's conntrack sysctls kube-proxy touches. Timeouts in nanoseconds (the sysctls hold seconds). */
export interface NodeConntrackSysctls {
  /** net.netfilter.nf_conntrack_max */
  readonly max: number
  /** /sys/module/nf_conntrack/parameters/hashsize (nf_conntrack_buckets) */
  readonly hashsize: number
  /** net.netfilter.nf_conntrack_tcp_timeout_established */
  readonly tcpEstablished: Nanos
  /** net.netfilter.nf_conntrack_tcp_timeout_close_wait */
  readonly tcpCloseWait: Nanos
}

/** cmd/kube-proxy/app/server.go getConntrackMax: maxPerCore × cores, at least min; 0 when maxPerCore is 0. */
export const conntrackMax = (config: KubeProxyConntrackConfig, cores: number): number => {
  if (config.maxPerCore <= 0) return 0
  const scaled = config.maxPerCore * cores
  return scaled > config.min ? scaled : config.min
}

/**
 * What a node's conntrack sysctls are after kube-proxy starts (cmd/kube-proxy/app/server_linux.go
 * setupConntrack, conntrack.go realConntracker). setIntSysCtl writes a value only when it is higher than the
 * current one (`val != value && val < value`), so kube-proxy raises limits and never lowers them: on a kernel
 * whose tcp_timeout_established is its default 5 days, the 24 h setting changes nothing, while close_wait
 * (kernel default 60 s) becomes 1 h. SetMax also raises hashsize to max/4 when it is below that.
 */
export const applyKubeProxyConntrack = (current: NodeConntrackSysctls, config: KubeProxyConntrackConfig, cores: number): NodeConntrackSysctls => {
  if (!Number.isSafeInteger(cores) || cores < 1) throw new RangeError(`node CPU count: expected a whole number ≥ 1, got ${cores}`)
  const raise = (value: number, to: number): number => (value < to ? to : value)
  const secondsOf = (d: Nanos): number => Math.floor(d / NANOS_PER_SECOND)
  const raiseTimeout = (value: Nanos, to: Nanos): Nanos => (to > 0 ? raise(secondsOf(value), secondsOf(to)) * NANOS_PER_SECOND : value)
  const max = conntrackMax(config, cores)
  return {
    max: max > 0 ? raise(current.max, max) : current.max,
    hashsize: max > 0 ? raise(current.hashsize, Math.floor(max / 4)) : current.hashsize,
    tcpEstablished: raiseTimeout(current.tcpEstablished, config.tcpEstablishedTimeout),
    tcpCloseWait: raiseTimeout(current.tcpCloseWait, config.tcpCloseWaitTimeout),
  }
}
