import type { Nanos } from "../../sim/index"
import { formatIpv4 } from "../addr/index"
import type { IpvsConn, IpvsDest, IpvsService } from "./model"
import type { IpvsTable } from "./table"
import { IPVS_TCP_STATES } from "./tcp-states"

// ipvsadm 1.31 (ipvsadm.c list_all, print_title, print_service_entry, list_conn, print_conn, list_timeout) over
// what libipvs reads from the kernel; each format below names the printf it reproduces.

// The kernel's IP_VS_VERSION_CODE 1.2.1 and its connection hash table size (IP_VS_CONN_TAB_BITS 12).
const HEADER = "IP Virtual Server version 1.2.1 (size=4096)"

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length))

/** What `ipvsadm -Ln` prints beside each real server: `--persistent-conn` and `--thresholds` change the columns. */
export type IpvsadmListFormat = "default" | "persistent-conn" | "thresholds"

/**
 * libipvs ipvs_cmp_services / ipvs_cmp_dests compare addresses as `int r = ntohl(a) - ntohl(b)`: the unsigned
 * difference read as a signed int, so addresses more than 2^31 apart sort the other way round (a NodePort on
 * 172.18.0.3 lists before a ClusterIP in 10.96.0.0/12, as on a real node).
 */
const cmpAddr = (a: number, b: number): number => (a - b) | 0

/** libipvs ipvs_cmp_services: fwmark and family (equal here), protocol, address, port. */
const cmpServices = (a: IpvsService, b: IpvsService): number =>
  proto(a) - proto(b) || cmpAddr(a.spec.address, b.spec.address) || a.spec.port - b.spec.port
const proto = (s: IpvsService): number => (s.spec.protocol === "TCP" ? 6 : 17)

/** libipvs ipvs_cmp_dests: address, then port. */
const cmpDests = (a: IpvsDest, b: IpvsDest): number => cmpAddr(a.address, b.address) || a.port - b.port

// print_title: "%-33s %-10s %-10s %-10s %-10s\n" / "%-33s %-9s %-11s %-10s %-10s\n" for the column variants.
const TITLES: Readonly<Record<IpvsadmListFormat, string>> = {
  default: "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
  thresholds: `${pad("Prot LocalAddress:Port", 33)} ${pad("Uthreshold", 10)} ${pad("Lthreshold", 10)} ${pad("ActiveConn", 10)} ${pad("InActConn", 10)}\n  -> RemoteAddress:Port`,
  "persistent-conn": `${pad("Prot LocalAddress:Port", 33)} ${pad("Weight", 9)} ${pad("PersistConn", 11)} ${pad("ActiveConn", 10)} ${pad("InActConn", 10)}\n  -> RemoteAddress:Port`,
}

const serviceLine = (s: IpvsService): string => {
  // print_service_entry: svc_name is "%-4s %s" (protocol, address:port) cut at 33 characters, then " sched" and flags.
  let line = `${pad(s.spec.protocol, 4)} ${formatIpv4(s.spec.address)}:${s.spec.port}`.slice(0, 33) + ` ${s.spec.scheduler}`
  if (s.spec.persistence !== null) {
    line += ` persistent ${s.spec.persistence}`
    if (s.spec.netmask !== 0xffffffff) line += ` mask ${formatIpv4(s.spec.netmask)}`
  }
  return line
}

const destLine = (d: IpvsDest, format: IpvsadmListFormat): string => {
  const name = `${formatIpv4(d.address)}:${d.port}`.slice(0, 28)
  switch (format) {
    case "default":
      // "  -> %-28s %-7s %-6d %-10u %-10u": kube-proxy's real servers are all masqueraded (Masq).
      return `  -> ${pad(name, 28)} ${pad("Masq", 7)} ${pad(String(d.weight), 6)} ${pad(String(d.activeConns), 10)} ${pad(String(d.inactConns), 10)}`
    case "thresholds":
      // "  -> %-28s %-10u %-10u %-10u %-10u": kube-proxy sets no -x/-y thresholds (0: none).
      return `  -> ${pad(name, 28)} ${pad("0", 10)} ${pad("0", 10)} ${pad(String(d.activeConns), 10)} ${pad(String(d.inactConns), 10)}`
    case "persistent-conn":
      // "  -> %-28s %-9u %-11u %-10u %-10u"
      return `  -> ${pad(name, 28)} ${pad(String(d.weight), 9)} ${pad(String(d.persistConns), 11)} ${pad(String(d.activeConns), 10)} ${pad(String(d.inactConns), 10)}`
  }
}

/**
 * `ipvsadm -Ln` (with `--persistent-conn` or `--thresholds`: their columns) as ipvsadm.c list_all prints it:
 * numeric, services and real servers sorted by libipvs' comparators. Counters are read after expiring
 * connections whose timeout has passed at `now`.
 */
export const renderIpvsadmList = (table: IpvsTable, now: Nanos, format: IpvsadmListFormat = "default"): string => {
  table.sweep(now)
  const lines = [HEADER, TITLES[format]]
  for (const s of [...table.services()].sort(cmpServices)) serviceLines(s, format, lines)
  return lines.join("\n") + "\n"
}

/** `ipvsadm -Ln -t|-u address:port` (ipvsadm.c list_service): the title and that one service, without the version line. */
export const renderIpvsadmService = (table: IpvsTable, now: Nanos, service: IpvsService, format: IpvsadmListFormat = "default"): string => {
  table.sweep(now)
  const lines = [TITLES[format]]
  serviceLines(service, format, lines)
  return lines.join("\n") + "\n"
}

const serviceLines = (s: IpvsService, format: IpvsadmListFormat, out: string[]): void => {
  out.push(serviceLine(s))
  for (const d of [...s.dests].sort(cmpDests)) out.push(destLine(d, format))
}

/**
 * The state /proc/net/ip_vs_conn shows (ip_vs_proto.c ip_vs_state_name): TCP's IP_VS_TCP_S_* names, "UDP" for a
 * UDP connection (ip_vs_proto_udp.c udp_state_name_table), NONE for a persistence template.
 */
const stateName = (cp: IpvsConn): string => (cp.template ? "NONE" : cp.protocol === "UDP" ? "UDP" : (IPVS_TCP_STATES[cp.state] ?? "ERR!"))

const connLine = (cp: IpvsConn, now: Nanos): string => {
  // ip_vs_conn_seq_show: expires is (timer.expires - jiffies) / HZ, whole seconds; print_conn: "%02d:%02d".
  const left = Math.max(0, Math.floor((cp.expiresAt - now) / 1_000_000_000))
  const expire = `${String(Math.floor(left / 60)).padStart(2, "0")}:${String(left % 60).padStart(2, "0")}`
  const ipPort = (a: number, p: number): string => `${formatIpv4(a)}:${p}`
  // An invalidated template shows the ports ip_vs_check_template rehashed it under (0xffff).
  const [vport, dport] = cp.invalidated ? [0xffff, 0xffff] : [cp.vport, cp.dest.port]
  // "%-3s %-6s %-11s %-18s %-18s %s\n": protocol, expire, state, client, virtual, real server.
  return `${pad(cp.protocol, 3)} ${pad(expire, 6)} ${pad(stateName(cp), 11)} ${pad(ipPort(cp.caddr, cp.cport), 18)} ${pad(ipPort(cp.vaddr, vport), 18)} ${ipPort(cp.dest.address, dport)}`
}

/**
 * `ipvsadm -Lnc` (ipvsadm.c list_conn over /proc/net/ip_vs_conn): connections, then persistence templates (client
 * network:0, the virtual service, the real server), each in creation order. `persistentConn` is `--persistent-conn`,
 * whose header adds the persistence-engine columns (kube-proxy sets no engine, so the lines stay the same).
 */
export const renderIpvsadmConnections = (table: IpvsTable, now: Nanos, persistentConn = false): string => {
  const header = persistentConn
    ? `pro expire ${pad("state", 11)} ${pad("source", 18)} ${pad("virtual", 18)} ${pad("destination", 18)} ${pad("pe name", 16)} pe_data`
    : `pro expire ${pad("state", 11)} ${pad("source", 18)} ${pad("virtual", 18)} destination`
  const entries = [...table.connections(now), ...table.persistenceTemplates(now)]
  return ["IPVS connection entries", header, ...entries.map((cp) => connLine(cp, now))].join("\n") + "\n"
}

/** `ipvsadm -L --timeout` (list_timeout): the kernel's timeouts in whole seconds. */
export const renderIpvsadmTimeout = (table: IpvsTable): string => {
  const s = (ns: Nanos): number => Math.floor(ns / 1_000_000_000)
  return `Timeout (tcp tcpfin udp): ${s(table.timeouts.tcp)} ${s(table.timeouts.tcpFin)} ${s(table.timeouts.udp)}\n`
}
