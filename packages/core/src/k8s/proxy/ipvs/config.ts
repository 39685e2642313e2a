import { IPVS_SCHEDULERS, type IpvsScheduler, type IpvsTable } from "../../../net/index"
import { seconds, type Nanos } from "../../../sim/index"
import { resolveIptablesConfig, ProxyConfigError, type IptablesProxierConfig, type ResolvedIptablesConfig } from "../iptables/config"

/** KubeProxyIPVSConfiguration on top of the shared flags (pkg/proxy/apis/config/types.go). */
export interface IpvsProxierConfig extends IptablesProxierConfig {
  /** --ipvs-scheduler; empty or absent: rr (proxier.go NewProxier defaultScheduler). */
  readonly scheduler?: IpvsScheduler | ""
  /** --ipvs-tcp-timeout, --ipvs-tcpfin-timeout, --ipvs-udp-timeout; 0 or absent: keep the kernel's. */
  readonly tcpTimeout?: Nanos
  readonly tcpFinTimeout?: Nanos
  readonly udpTimeout?: Nanos
}

export interface ResolvedIpvsConfig extends ResolvedIptablesConfig {
  readonly scheduler: IpvsScheduler
  readonly tcpTimeout: Nanos
  readonly tcpFinTimeout: Nanos
  readonly udpTimeout: Nanos
}

const SECOND = seconds(1)

/** Applies the defaults and validates; throws ProxyConfigError naming the field. */
export const resolveIpvsConfig = (c: IpvsProxierConfig): ResolvedIpvsConfig => {
  const base = resolveIptablesConfig(c)
  const scheduler = c.scheduler === undefined || c.scheduler === "" ? "rr" : c.scheduler
  if (!IPVS_SCHEDULERS.includes(scheduler)) throw new ProxyConfigError(`ipvs.scheduler: expected rr, wrr, lc or sh, got "${scheduler}"`)
  const t = (name: string, v: Nanos | undefined): Nanos => {
    if (v === undefined) return 0
    if (!(v >= 0)) throw new ProxyConfigError(`ipvs.${name}: must not be negative, got ${v} ns`)
    return v
  }
  return { ...base, scheduler, tcpTimeout: t("tcpTimeout", c.tcpTimeout), tcpFinTimeout: t("tcpFinTimeout", c.tcpFinTimeout), udpTimeout: t("udpTimeout", c.udpTimeout) }
}

/**
 * NewProxier's kernel settings: vs/conntrack=1 (the host's IPVS always keeps conntrack in step), expire_nodest_conn=1,
 * expire_quiescent_template=1, and `ipvsadm --set` (ConfigureTimeouts) only when a timeout is non-zero; a zero one
 * keeps the kernel's value (util/ipvs ipvs_linux.go ConfigureTimeouts passes 0, which the kernel leaves alone).
 * The netlink message carries whole seconds (moby/ipvs netlink.go `uint32(c.TimeoutTCP.Seconds())`): a timeout is
 * truncated to seconds, and one under a second arrives as 0 and also keeps the kernel's value
 * (ip_vs_ctl.c ip_vs_set_timeout only sets a non-zero one).
 */
export const applyIpvsSysctls = (table: IpvsTable, cfg: Pick<ResolvedIpvsConfig, "tcpTimeout" | "tcpFinTimeout" | "udpTimeout">): void => {
  table.sysctls = { expireNodestConn: true, expireQuiescentTemplate: true }
  if (cfg.tcpTimeout > 0 || cfg.tcpFinTimeout > 0 || cfg.udpTimeout > 0) {
    const t = table.timeouts
    const set = (asked: Nanos, kernel: Nanos): Nanos => {
      const whole = Math.floor(asked / SECOND) * SECOND
      return whole > 0 ? whole : kernel
    }
    table.timeouts = { ...t, tcp: set(cfg.tcpTimeout, t.tcp), tcpFin: set(cfg.tcpFinTimeout, t.tcpFin), udp: set(cfg.udpTimeout, t.udp) }
  }
}
