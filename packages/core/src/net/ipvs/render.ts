import { formatIpv4 } from "../addr/index"
import type { IpvsDest, IpvsService } from "./model"
import type { IpvsTable } from "./table"

// The kernel's IP_VS_VERSION_CODE 1.2.1 and its connection hash table size (IP_VS_CONN_TAB_BITS 12).
const HEADER = "IP Virtual Server version 1.2.1 (size=4096)"
// ipvsadm.c print_title.
const TITLE = "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length))

/** libipvs ipvs_cmp_services: by protocol, then address, then port (ipvsadm sorts unless --nosort). */
const cmpServices = (a: IpvsService, b: IpvsService): number =>
  proto(a) - proto(b) || a.spec.address - b.spec.address || a.spec.port - b.spec.port
const proto = (s: IpvsService): number => (s.spec.protocol === "TCP" ? 6 : 17)

/** libipvs ipvs_cmp_dests: by address, then port. */
const cmpDests = (a: IpvsDest, b: IpvsDest): number => a.address - b.address || a.port - b.port

const serviceLine = (s: IpvsService): string => {
  // print_service_entry: "%s  %s" (protocol, address:port) cut at 33 characters, then " sched" and flags.
  let line = `${s.spec.protocol}  ${formatIpv4(s.spec.address)}:${s.spec.port}`.slice(0, 33) + ` ${s.spec.scheduler}`
  if (s.spec.persistence !== null) {
    line += ` persistent ${s.spec.persistence}`
    if (s.spec.netmask !== 0xffffffff) line += ` mask ${formatIpv4(s.spec.netmask)}`
  }
  return line
}

const destLine = (d: IpvsDest): string =>
  // "  -> %-28s %-7s %-6d %-10u %-10u": kube-proxy's real servers are all masqueraded (Masq).
  `  -> ${pad(`${formatIpv4(d.address)}:${d.port}`.slice(0, 28), 28)} ${pad("Masq", 7)} ${pad(String(d.weight), 6)} ${pad(String(d.activeConns), 10)} ${pad(String(d.inactConns), 10)}`

/**
 * `ipvsadm -Ln` as ipvsadm.c list_all prints it (numeric, sorted). Counters are read after expiring
 * connections whose timeout has passed at `now`.
 */
export const renderIpvsadmList = (table: IpvsTable, now: number): string => {
  table.sweep(now)
  const lines = [HEADER, TITLE]
  for (const s of [...table.services()].sort(cmpServices)) {
    lines.push(serviceLine(s))
    for (const d of [...s.dests].sort(cmpDests)) lines.push(destLine(d))
  }
  return lines.join("\n") + "\n"
}
