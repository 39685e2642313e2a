import { type Nanos, net } from "@kubesim/core"
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
}

const fail = (message: string): never => {
  throw new UserInputError({ message: `ipvsadm: ${message}` })
}

/** The flags' problems, before anything is replayed: what kubesim's ipvsadm cannot do, and ipvsadm's own conflicts. */
export const checkIpvsadmFlags = (f: IpvsadmFlags): void => {
  if (!f.list) fail("kubesim lists the IPVS table only: give -L (--list), e.g. ipvsadm -Ln")
  // ipvsadm.c generic_opt_check: -c and --timeout are exclusive ('1') options of the list command.
  if (f.connection && f.timeout) fail("The option 'timeout' conflicts with the 'connection' option in the 'list' command")
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
  return net.renderIpvsadmList(table, now, f.thresholds ? "thresholds" : f.persistentConn ? "persistent-conn" : "default")
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
