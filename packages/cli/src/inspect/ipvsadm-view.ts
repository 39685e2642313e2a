import { type Nanos, net } from "@kubesim/core"
import { Option } from "effect"
import { UserInputError } from "../errors"

/** The ipvsadm flags kubesim takes (ipvsadm.c's long names); `kubesim ipvsadm -Ln` is `list` and `numeric`. */
export interface IpvsadmFlags {
  readonly list: boolean
  readonly numeric: boolean
  readonly connection: boolean
  readonly timeout: boolean
  readonly stats: boolean
  readonly rate: boolean
  readonly thresholds: boolean
  readonly persistentConn: boolean
  /** `-t`/`-u address[:port]`: list that virtual service only. */
  readonly tcpService: Option.Option<string>
  readonly udpService: Option.Option<string>
}

const fail = (message: string): never => {
  throw new UserInputError({ message: `ipvsadm: ${message}` })
}

/** The flags' problems, before anything is replayed: what kubesim's ipvsadm cannot do, and ipvsadm's own conflicts. */
export const checkIpvsadmFlags = (f: IpvsadmFlags): void => {
  if (!f.list) fail("kubesim lists the IPVS table only: give -L (--list), e.g. ipvsadm -Ln")
  // ipvsadm.c set_option: -t and -u both set the service option.
  if (Option.isSome(f.tcpService) && Option.isSome(f.udpService)) fail("multiple 'service-address' options specified")
  // ipvsadm.c generic_opt_check: -c, a service and --timeout are exclusive ('1') options of the list command; the
  // second one found (in optnames order) is named against the first.
  const exclusive = [
    ["connection", f.connection],
    ["service-address", Option.isSome(f.tcpService) || Option.isSome(f.udpService)],
    ["timeout", f.timeout],
  ] as const
  const given = exclusive.filter(([, on]) => on).map(([name]) => name)
  if (given.length > 1) fail(`The option '${given[1]}' conflicts with the '${given[0]}' option in the 'list' command`)
  if (!f.numeric) fail("kubesim prints addresses and ports numerically only (the node's host and service names are not modelled): give -n (--numeric), e.g. ipvsadm -Ln")
  if (f.stats || f.rate)
    fail(
      `${f.stats ? "--stats" : "--rate"}: kubesim's IPVS table keeps no packet or byte counters, so ipvsadm's ${f.stats ? "Conns/InPkts/OutPkts/InBytes/OutBytes" : "CPS/InPPS/OutPPS/InBPS/OutBPS"} columns cannot be filled; -Ln, -Lnc, --persistent-conn, --thresholds and --timeout can`,
    )
}

/**
 * What `ipvsadm -L…` prints for these flags (ipvsadm.c: --timeout → list_timeout, -c → list_conn, else list_all with
 * print_title's precedence: --thresholds before --persistent-conn).
 */
export const ipvsadmText = (f: IpvsadmFlags, table: net.IpvsTable, now: Nanos): string => {
  checkIpvsadmFlags(f)
  if (f.timeout) return net.renderIpvsadmTimeout(table)
  if (f.connection) return net.renderIpvsadmConnections(table, now, f.persistentConn)
  const format = f.thresholds ? "thresholds" : f.persistentConn ? "persistent-conn" : "default"
  const wanted = Option.isSome(f.tcpService) ? (["TCP", f.tcpService.value] as const) : Option.isSome(f.udpService) ? (["UDP", f.udpService.value] as const) : null
  if (wanted === null) return net.renderIpvsadmList(table, now, format)
  const [protocol, address, port] = [wanted[0], ...parseServiceAddress(wanted[1])] as const
  const service = table.getService(protocol, address, port)
  // list_service: libipvs' ipvs_get_service fails with ESRCH, which ipvs_strerror words as "No such service".
  if (service === null) return fail("No such service")
  return net.renderIpvsadmService(table, now, service, format)
}

/** ipvsadm.c parse_service: `host[:port]` (numeric here), the port 0 when left out. */
const parseServiceAddress = (text: string): readonly [number, number] => {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text)
  const port = m?.[2] === undefined ? 0 : Number(m[2])
  if (m === null || port > 65535 || !m[1]!.split(".").every((o) => Number(o) <= 255)) return fail("illegal virtual server address[:port] specified")
  return [net.parseIpv4(m[1]!), port]
}

/** The parts of a cluster node ipvsadm reads: its host's IPVS table and its kube-proxy's mode. */
export interface IpvsadmNode {
  readonly name: string
  readonly host: { readonly ipvs: net.IpvsTable | null }
  readonly proxy: { readonly options: { readonly mode?: string } }
}

/** Where a mode's Service rules are seen instead. */
const RULES_COMMAND: Readonly<Record<string, string>> = { iptables: "kubesim iptables-save", nftables: "kubesim nft list ruleset" }

/**
 * The node's IPVS table; on a node whose kube-proxy is not in ipvs mode there is none (the ip_vs module is not even
 * loaded), and the error says which mode it runs and where its rules are.
 */
export const nodeIpvsTable = (node: IpvsadmNode): net.IpvsTable => {
  if (node.host.ipvs !== null) return node.host.ipvs
  const mode = node.proxy.options.mode ?? "iptables"
  const where = RULES_COMMAND[mode]
  return fail(
    `node ${node.name}'s kube-proxy runs in ${mode} mode, so the node has no IPVS table${where !== undefined ? `; see its Service rules with ${where} --node ${node.name}` : ""}; a run with cluster.proxyMode: ipvs has one`,
  )
}
