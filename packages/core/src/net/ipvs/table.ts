import type { Nanos } from "../../sim/index"
import { seconds } from "../../sim/index"
import { formatIpv4, type Ipv4 } from "../addr/index"
import { TCP_ACK, TCP_RST, TCP_SYN } from "../packet/packet"
import { IpvsDest, IpvsService, serviceKey, type IpvsConn, type IpvsProtocol, type IpvsServiceSpec } from "./model"
import { resetScheduler, schedule } from "./schedulers"
import { DEFAULT_IPVS_TIMEOUTS, nextTcpState, tcpStateActive, tcpStateTimeout, type IpvsTimeouts } from "./tcp-states"

/** An `ipvsadm` command the kernel refuses (the netlink errors kube-proxy's ipvs util reports). */
export class IpvsError extends Error {
  override readonly name = "IpvsError"
}

/** The sysctls kube-proxy sets in IPVS mode (pkg/proxy/ipvs/proxier.go NewProxier); the kernel's default is 0. */
export interface IpvsSysctls {
  /** net/ipv4/vs/expire_nodest_conn: a packet for a connection whose real server is gone expires it and is dropped. */
  readonly expireNodestConn: boolean
  /** net/ipv4/vs/expire_quiescent_template: a persistence template whose real server has weight 0 is dropped. */
  readonly expireQuiescentTemplate: boolean
}

/** Answer of `inbound` when the packet is not IPVS's (no virtual service, or TCP without SYN and no connection). */
export const IPVS_PASS = "pass"
/** Answer of `inbound` for a virtual service with no available real server: ip_vs_leave sends port-unreachable. */
export const IPVS_UNREACHABLE = "unreachable"
/** Answer of `inbound` for a packet of a connection expired by expire_nodest_conn: dropped. */
export const IPVS_DROP = "drop"

const ipPort = (ip: Ipv4, port: number): number => ip * 65536 + port
const PROTO_TCP = 6

/**
 * One node's IP Virtual Server: virtual services with their real servers (ip_vs_ctl.c), the schedulers, and the
 * connection table with persistence templates (ip_vs_conn.c), as net/netfilter/ipvs keeps them. The host
 * asks `inbound` at LOCAL_IN for packets to a local address (ip_vs_core.c ip_vs_in) and `outbound` for
 * replies from real servers (ip_vs_out); it does the address rewriting itself.
 *
 * Expiry is lazy: a sweep runs when the earliest deadline may have passed (connection timeouts are refreshed
 * per packet, so the watermark is a lower bound); a sweep costs one walk over the table.
 */
export class IpvsTable {
  private readonly byKey = new Map<string, IpvsService>()
  private readonly byAddr = new Map<number, IpvsService[]>()
  /** All connections and templates, in creation order (sweeps walk it deterministically). */
  private readonly conns = new Set<IpvsConn>()
  private readonly inIndex = new Map<number, IpvsConn[]>()
  private readonly outIndex = new Map<number, IpvsConn[]>()
  private readonly templates = new Map<string, IpvsConn>()
  private nextSweep = Number.POSITIVE_INFINITY
  timeouts: IpvsTimeouts = DEFAULT_IPVS_TIMEOUTS
  sysctls: IpvsSysctls = { expireNodestConn: false, expireQuiescentTemplate: false }
  /** Bumped by every change to services or real servers (not by traffic). */
  generation = 0

  // ---- ipvsadm -A / -E / -D -------------------------------------------------------------------------------

  addService(spec: IpvsServiceSpec): IpvsService {
    const key = serviceKey(spec.protocol, spec.address, spec.port)
    if (this.byKey.has(key)) throw new IpvsError(`${label(spec)}: Service already exists`)
    checkSpec(spec)
    const svc = new IpvsService(spec)
    this.byKey.set(key, svc)
    const k = ipPort(spec.address, spec.port)
    const list = this.byAddr.get(k) ?? []
    list.push(svc)
    this.byAddr.set(k, list)
    this.generation++
    return svc
  }

  editService(spec: IpvsServiceSpec): void {
    const svc = this.mustGet(spec.protocol, spec.address, spec.port)
    checkSpec(spec)
    if (svc.spec.scheduler !== spec.scheduler) resetScheduler(svc)
    svc.spec = spec
    this.generation++
  }

  deleteService(protocol: IpvsProtocol, address: Ipv4, port: number): void {
    const svc = this.mustGet(protocol, address, port)
    // ip_vs_ctl.c __ip_vs_del_service: every destination is unlinked; connections keep their dest pointers.
    for (const d of svc.dests) d.available = false
    this.byKey.delete(svc.key)
    const k = ipPort(address, port)
    const list = (this.byAddr.get(k) ?? []).filter((s) => s !== svc)
    if (list.length === 0) this.byAddr.delete(k)
    else this.byAddr.set(k, list)
    this.generation++
  }

  getService(protocol: IpvsProtocol, address: Ipv4, port: number): IpvsService | null {
    return this.byKey.get(serviceKey(protocol, address, port)) ?? null
  }

  /** Every virtual service, in creation order. */
  services(): IterableIterator<IpvsService> {
    return this.byKey.values()
  }

  // ---- ipvsadm -a / -e / -d -------------------------------------------------------------------------------

  addDest(svc: IpvsService, address: Ipv4, port: number, weight: number): IpvsDest {
    if (svc.dests.some((d) => d.address === address && d.port === port)) {
      throw new IpvsError(`${label(svc.spec)} -> ${formatIpv4(address)}:${port}: Destination already exists`)
    }
    checkWeight(weight)
    const d = new IpvsDest(address, port, weight)
    // list_add_rcu puts it at the head: rr's position, an index, moves with the element it pointed at.
    svc.dests.unshift(d)
    if (svc.schedPos >= 0) svc.schedPos++
    if (svc.spec.scheduler !== "rr") resetScheduler(svc)
    this.generation++
    return d
  }

  /** `ipvsadm -e … -w weight`: kube-proxy's graceful termination sets 0 first (no new connections). */
  setWeight(svc: IpvsService, address: Ipv4, port: number, weight: number): void {
    checkWeight(weight)
    this.mustGetDest(svc, address, port).weight = weight
    if (svc.spec.scheduler !== "rr") resetScheduler(svc)
    this.generation++
  }

  deleteDest(svc: IpvsService, address: Ipv4, port: number): void {
    const d = this.mustGetDest(svc, address, port)
    const idx = svc.dests.indexOf(d)
    svc.dests.splice(idx, 1)
    d.available = false
    // ip_vs_rr.c ip_vs_rr_del_dest: a position on the deleted element falls back to the one before it.
    if (svc.schedPos >= idx) svc.schedPos--
    if (svc.spec.scheduler !== "rr") resetScheduler(svc)
    this.generation++
  }

  findDest(svc: IpvsService, address: Ipv4, port: number): IpvsDest | null {
    return svc.dests.find((d) => d.address === address && d.port === port) ?? null
  }

  // ---- the packet path --------------------------------------------------------------------------------------

  /**
   * ip_vs_in for a packet from a client (`proto` 6 or 17) to `vaddr:vport`: the connection it belongs to (its
   * state advanced), a new one scheduled (TCP only on a SYN: tcp_conn_schedule), or IPVS_PASS /
   * IPVS_UNREACHABLE / IPVS_DROP.
   */
  inbound(proto: number, caddr: Ipv4, cport: number, vaddr: Ipv4, vport: number, tcpFlags: number, now: Nanos): IpvsConn | typeof IPVS_PASS | typeof IPVS_UNREACHABLE | typeof IPVS_DROP {
    if (now >= this.nextSweep) this.sweep(now)
    let cp = this.lookupIn(proto, caddr, cport, vaddr, vport)
    if (cp !== null && !cp.dest.available && this.sysctls.expireNodestConn) {
      // ip_vs_core.c ip_vs_in: the real server is gone; the connection is expired now and the packet dropped.
      this.remove(cp)
      if ((tcpFlags & (TCP_SYN | TCP_ACK | TCP_RST)) !== TCP_SYN || proto !== PROTO_TCP) return IPVS_DROP
      cp = null
    }
    if (cp === null) {
      const svc = this.findService(proto, vaddr, vport)
      if (svc === null) return IPVS_PASS
      // ip_vs_proto_tcp.c tcp_conn_schedule: only a SYN (without RST) opens a connection.
      if (proto === PROTO_TCP && (tcpFlags & (TCP_SYN | TCP_RST)) !== TCP_SYN) return IPVS_PASS
      const made = this.newConn(svc, caddr, cport, now)
      if (made === null) return IPVS_UNREACHABLE
      cp = made
    }
    this.advance(cp, tcpFlags, "in", now)
    return cp
  }

  /** ip_vs_out for a reply from real server `daddr:dport` to `caddr:cport`: its connection or null. */
  outbound(proto: number, daddr: Ipv4, dport: number, caddr: Ipv4, cport: number, tcpFlags: number, now: Nanos): IpvsConn | null {
    if (now >= this.nextSweep) this.sweep(now)
    const list = this.outIndex.get(ipPort(daddr, dport))
    if (list === undefined) return null
    for (const cp of list) {
      if (cp.caddr === caddr && cp.cport === cport && protoNum(cp.protocol) === proto) {
        this.advance(cp, tcpFlags, "out", now)
        return cp
      }
    }
    return null
  }

  /** Connections (not templates) in creation order, after expiring those past their timeout. */
  connections(now: Nanos): IpvsConn[] {
    this.sweep(now)
    return [...this.conns].filter((cp) => !cp.template)
  }

  /** Persistence templates in creation order, after expiry at `now`. */
  persistenceTemplates(now: Nanos): IpvsConn[] {
    this.sweep(now)
    return [...this.conns].filter((cp) => cp.template)
  }

  /** Expires every entry whose timeout has passed (ip_vs_conn.c ip_vs_conn_expire). */
  sweep(now: Nanos): void {
    let next = Number.POSITIVE_INFINITY
    for (const cp of this.conns) {
      if (!cp.template && cp.expiresAt <= now) this.remove(cp)
    }
    for (const cp of this.conns) {
      if (cp.template && cp.expiresAt <= now) {
        // A template is not expired while it controls connections: its timer is re-armed (expire_later).
        if (cp.nControl > 0) while (cp.expiresAt <= now) cp.expiresAt += cp.timeout
        else this.remove(cp)
      }
    }
    for (const cp of this.conns) if (cp.expiresAt < next) next = cp.expiresAt
    this.nextSweep = next
  }

  private findService(proto: number, vaddr: Ipv4, vport: number): IpvsService | null {
    const list = this.byAddr.get(ipPort(vaddr, vport))
    if (list === undefined) return null
    for (const s of list) if (protoNum(s.spec.protocol) === proto) return s
    return null
  }

  private lookupIn(proto: number, caddr: Ipv4, cport: number, vaddr: Ipv4, vport: number): IpvsConn | null {
    const list = this.inIndex.get(ipPort(caddr, cport))
    if (list === undefined) return null
    for (const cp of list) if (cp.vaddr === vaddr && cp.vport === vport && protoNum(cp.protocol) === proto) return cp
    return null
  }

  /** ip_vs_core.c ip_vs_schedule / ip_vs_sched_persist. */
  private newConn(svc: IpvsService, caddr: Ipv4, cport: number, now: Nanos): IpvsConn | null {
    const spec = svc.spec
    if (spec.persistence === null) {
      const dest = schedule(svc, caddr)
      return dest === null ? null : this.add(spec, caddr, cport, dest, null, now)
    }
    // The template is keyed by the client's network (caddr & netmask) and the virtual address and port.
    const snet = (caddr & spec.netmask) >>> 0
    const tkey = `${spec.protocol}/${snet}/${spec.address}/${spec.port}`
    let ct = this.templates.get(tkey) ?? null
    if (ct !== null && !this.templateUsable(ct)) {
      // ip_vs_check_template: the template is unhashed and rehashed under ports 0xffff (no lookup matches it), its
      // timer left running; its connections keep it as their control until they expire.
      this.templates.delete(tkey)
      ct.invalidated = true
      ct = null
    }
    const timeout = seconds(spec.persistence)
    if (ct === null) {
      const dest = schedule(svc, caddr)
      if (dest === null) return null
      ct = this.add(spec, snet, 0, dest, null, now, timeout)
      this.templates.set(tkey, ct)
    } else {
      // ip_vs_conn_put re-arms the template's timer with the service's timeout.
      ct.expiresAt = now + timeout
    }
    return this.add(spec, caddr, cport, ct.dest, ct, now)
  }

  /** ip_vs_conn.c ip_vs_check_template. */
  private templateUsable(ct: IpvsConn): boolean {
    return ct.dest.available && !(this.sysctls.expireQuiescentTemplate && ct.dest.weight === 0)
  }

  private add(spec: IpvsServiceSpec, caddr: Ipv4, cport: number, dest: IpvsDest, control: IpvsConn | null, now: Nanos, templateTimeout?: Nanos): IpvsConn {
    const template = templateTimeout !== undefined
    // ip_vs_conn_new: a fresh connection lives 3 s until its protocol sets a state.
    const timeout = templateTimeout ?? seconds(3)
    const cp: IpvsConn = {
      protocol: spec.protocol,
      caddr,
      cport,
      vaddr: spec.address,
      vport: spec.port,
      dest,
      template,
      state: 0,
      inactive: false,
      expiresAt: now + timeout,
      control,
      nControl: 0,
      timeout,
      invalidated: false,
    }
    this.conns.add(cp)
    if (template) dest.persistConns++
    else {
      // ip_vs_bind_dest: a new connection counts as active until its protocol says otherwise.
      dest.activeConns++
      push(this.inIndex, ipPort(caddr, cport), cp)
      push(this.outIndex, ipPort(dest.address, dest.port), cp)
    }
    if (control !== null) control.nControl++
    if (cp.expiresAt < this.nextSweep) this.nextSweep = cp.expiresAt
    return cp
  }

  /** set_tcp_state / udp_state_transition: the new state, the active/inactive counters and the timeout. */
  private advance(cp: IpvsConn, tcpFlags: number, dir: "in" | "out", now: Nanos): void {
    if (cp.protocol === "UDP") {
      cp.timeout = this.timeouts.udp
    } else {
      const next = nextTcpState(cp.state, tcpFlags, dir)
      if (next !== cp.state) {
        const active = tcpStateActive(next)
        if (!cp.inactive && !active) {
          cp.dest.activeConns--
          cp.dest.inactConns++
          cp.inactive = true
        } else if (cp.inactive && active) {
          cp.dest.activeConns++
          cp.dest.inactConns--
          cp.inactive = false
        }
      }
      cp.state = next
      cp.timeout = tcpStateTimeout(next, this.timeouts)
    }
    cp.expiresAt = now + cp.timeout
  }

  private remove(cp: IpvsConn): void {
    if (!this.conns.delete(cp)) return
    if (cp.template) {
      cp.dest.persistConns--
      const tkey = `${cp.protocol}/${cp.caddr}/${cp.vaddr}/${cp.vport}`
      if (this.templates.get(tkey) === cp) this.templates.delete(tkey)
      return
    }
    if (cp.inactive) cp.dest.inactConns--
    else cp.dest.activeConns--
    unlink(this.inIndex, ipPort(cp.caddr, cp.cport), cp)
    unlink(this.outIndex, ipPort(cp.dest.address, cp.dest.port), cp)
    if (cp.control !== null) cp.control.nControl--
  }

  private mustGet(protocol: IpvsProtocol, address: Ipv4, port: number): IpvsService {
    const svc = this.getService(protocol, address, port)
    if (svc === null) throw new IpvsError(`${protocol} ${formatIpv4(address)}:${port}: No such service`)
    return svc
  }

  private mustGetDest(svc: IpvsService, address: Ipv4, port: number): IpvsDest {
    const d = this.findDest(svc, address, port)
    if (d === null) throw new IpvsError(`${label(svc.spec)} -> ${formatIpv4(address)}:${port}: No such destination`)
    return d
  }
}

const protoNum = (p: IpvsProtocol): number => (p === "TCP" ? 6 : 17)
const label = (s: IpvsServiceSpec): string => `${s.protocol} ${formatIpv4(s.address)}:${s.port}`

const checkSpec = (s: IpvsServiceSpec): void => {
  // ip_vs_ctl.c: the persistence timeout is in seconds, at least 1 (ipvsadm's -p default is 300).
  if (s.persistence !== null && (!Number.isInteger(s.persistence) || s.persistence < 1)) {
    throw new IpvsError(`${label(s)}: persistence timeout ${s.persistence}: expected whole seconds >= 1`)
  }
}

const checkWeight = (w: number): void => {
  // ip_vs_ctl.c ip_vs_new_dest/ip_vs_edit_dest: weight must be 0..INT_MAX.
  if (!Number.isInteger(w) || w < 0 || w > 2147483647) throw new IpvsError(`weight ${w}: expected an integer 0..2147483647`)
}

const push = (m: Map<number, IpvsConn[]>, k: number, cp: IpvsConn): void => {
  const list = m.get(k)
  if (list === undefined) m.set(k, [cp])
  else list.push(cp)
}

const unlink = (m: Map<number, IpvsConn[]>, k: number, cp: IpvsConn): void => {
  const list = m.get(k)
  if (list === undefined) return
  const i = list.indexOf(cp)
  if (i >= 0) list.splice(i, 1)
  if (list.length === 0) m.delete(k)
}
