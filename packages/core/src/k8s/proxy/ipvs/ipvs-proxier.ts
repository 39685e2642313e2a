import { formatIpv4, IpvsError, parseIpv4, type IpvsDest, type IpvsService, type IpvsServiceSpec } from "../../../net/index"
import type { Nanos } from "../../../sim/index"
import { isLocalTo } from "../endpoint"
import { applyEndpointsChanges } from "../endpoints-change-tracker"
import { cidrContains } from "../ip"
import { ProxierCore, type ProxierRunnerHooks, type ProxierSyncFigures } from "../proxier-informer-handlers"

export type { IpvsProxierConfig, ResolvedIpvsConfig } from "./config"
export { applyIpvsSysctls } from "./config"
import { applyServiceChanges } from "../service-change-tracker"
import type { ServicePortInfo } from "../service-port"
import { categorizeEndpoints } from "../topology"
import { applyIpvsSysctls, resolveIpvsConfig, type IpvsProxierConfig, type ResolvedIpvsConfig } from "./config"
import { GracefulTerminationManager, uniqueRsName } from "./graceful-termination"
import { writeIpvsIptablesRules, type LbNoNodeAccess } from "./iptables-rules"
import type { IpvsKernel } from "./ipvs-node"
import {
  IPSET_INFO,
  IPVS_JUMP_RULES,
  KUBE_CLUSTER_IP,
  KUBE_EXTERNAL_IP,
  KUBE_EXTERNAL_IP_LOCAL,
  KUBE_HEALTH_CHECK_NODE_PORT,
  KUBE_IPVS_IPS,
  KUBE_LOAD_BALANCER_FW,
  KUBE_LOAD_BALANCER_LOCAL,
  KUBE_LOAD_BALANCER_SET,
  KUBE_LOAD_BALANCER_SOURCE_CIDR,
  KUBE_LOAD_BALANCER_SOURCE_IP,
  KUBE_LOOP_BACK,
  KUBE_NODE_PORT_LOCAL_SCTP,
  KUBE_NODE_PORT_LOCAL_TCP,
  KUBE_NODE_PORT_LOCAL_UDP,
  KUBE_NODE_PORT_SCTP,
  KUBE_NODE_PORT_TCP,
  KUBE_NODE_PORT_UDP,
} from "./names"

export interface IpvsSyncResult extends ProxierSyncFigures {
  /** The iptables-restore payload (its rules do not grow with the number of Services). */
  readonly payload: string
  /** Virtual servers in the table after the sync. */
  readonly virtualServers: number
  /** Real servers in the table after the sync (including weight-0 ones awaiting graceful deletion). */
  readonly realServers: number
  /** Kernel calls the sync made: ipvsadm add/edit/delete of services and real servers, ipset add/del, address (un)binds. */
  readonly operations: number
  /** The `-A` rules of the iptables payload (the `rules` record's count in IPVS mode). */
  readonly rulesWritten: number
}

export interface IpvsProxierOptions extends ProxierRunnerHooks {
  readonly now: () => Nanos
  readonly kernel: IpvsKernel
}

/**
 * kube-proxy's IPVS mode for one node and the IPv4 family: pkg/proxy/ipvs/proxier.go Proxier on the shared change
 * trackers. Every sync is a full one, as upstream's: a virtual server per ClusterIP, externalIP and LoadBalancer
 * ingress IP (their addresses bound to kube-ipvs0) and per NodePort on every node address; real servers (weight
 * 1) per usable endpoint, removed through graceful termination; the ipsets of `ipsetInfo` synced to their active
 * entries; the fixed iptables rules of writeIptablesRules restored; stale addresses unbound and stale virtual
 * servers deleted (cleanLegacyService).
 *
 * Upstream walks Go maps (random order); here services go in sorted ServicePortName order and endpoints in
 * `ip:port` order, so real servers are added in that order (each at the head of the kernel's list).
 */
export class IpvsProxier extends ProxierCore<ResolvedIpvsConfig, Omit<IpvsSyncResult, "payload">> {
  readonly graceful: GracefulTerminationManager
  /** proxier.go initialSync: true until the first sync, which resets the weights of real servers it finds. */
  private initialSync = true
  private ops = 0

  constructor(config: IpvsProxierConfig, private readonly options: IpvsProxierOptions) {
    const resolved = resolveIpvsConfig(config)
    super(resolved, options)
    this.graceful = new GracefulTerminationManager(options.kernel.ipvs)
    applyIpvsSysctls(options.kernel.ipvs, resolved)
  }

  /** The graceful termination manager's periodic pass (rsCheckDeleteInterval; the caller's timer). */
  tryDeleteRs(): void {
    this.graceful.tryDeleteRs(this.options.now())
  }

  /** proxier.go syncProxyRules. Undefined before both informers have synced. */
  syncProxyRules(): IpvsSyncResult | undefined {
    if (!this.initialized) return undefined
    const cfg = this.config
    const kernel = this.options.kernel
    const table = kernel.ipvs
    const now = this.options.now()
    // Every IPVS sync rewrites everything (upstream has no partial sync in this mode).
    const doFullSync = true
    applyServiceChanges(this.svcPortMap, this.serviceChanges)
    const endpointUpdate = applyEndpointsChanges(this.endpointsMap, this.endpointsChanges)
    this.ops = 0

    // ensureIPSet + resetEntries for every set of ipsetInfo.
    const active = new Map<string, Set<string>>()
    for (const info of IPSET_INFO) {
      kernel.ipsets.create(info.name, info.type, info.comment, true)
      active.set(info.name, new Set())
    }
    const add = (set: string, entry: string): void => void active.get(set)?.add(entry)
    const lbNoNodeAccess: LbNoNodeAccess[] = []

    const activeServices = new Set<string>()
    const activeBindAddrs = new Set<string>()
    const alreadyBound = new Set(kernel.dummyAddresses())
    const nodeAddressSet = new Set(kernel.nodeAddresses())
    const nodeIPs = this.nodePortIPs(nodeAddressSet)

    let totalEndpoints = 0
    let noLocalInternal = 0
    let noLocalExternal = 0
    for (const key of [...this.svcPortMap.keys()].sort()) {
      const svc = this.svcPortMap.get(key) as ServicePortInfo
      const eps = this.endpointsMap.get(key) ?? []
      totalEndpoints += eps.length
      const proto = svc.protocolLower
      const flags = { internal: false, external: false }
      // Handle traffic that loops back to the originator with SNAT (local endpoints only).
      for (const ep of eps) if (isLocalTo(ep, cfg.nodeName)) add(KUBE_LOOP_BACK, `${ep.ip},${proto}:${ep.port},${ep.ip}`)

      // One virtual server: syncService, then (if it is in the kernel) its address and its real servers.
      const capture = (address: string, port: number, bind: boolean, onlyNodeLocal: boolean): void => {
        const vs = this.virtualServer(svc, address, port)
        if (!this.syncService(vs, bind, alreadyBound)) return
        activeServices.add(key3(vs))
        if (bind) activeBindAddrs.add(address)
        this.syncEndpoint(svc, onlyNodeLocal, vs, now, flags)
      }

      // The ClusterIP: externalTrafficPolicy does not affect it; internalTrafficPolicy Local does.
      add(KUBE_CLUSTER_IP, `${svc.clusterIP},${proto}:${svc.port}`)
      capture(svc.clusterIP, svc.port, true, svc.internalPolicyLocal)

      // externalIPs and LB ingress IPs are not bound to the dummy device when another interface holds them.
      for (const ip of svc.externalIPs) {
        add(svc.externalPolicyLocal ? KUBE_EXTERNAL_IP_LOCAL : KUBE_EXTERNAL_IP, `${ip},${proto}:${svc.port}`)
        capture(ip, svc.port, !nodeAddressSet.has(ip), svc.externalPolicyLocal)
      }

      for (const ingress of svc.loadBalancerVIPs) {
        const entry = `${ingress},${proto}:${svc.port}`
        add(KUBE_LOAD_BALANCER_SET, entry)
        if (svc.externalPolicyLocal) add(KUBE_LOAD_BALANCER_LOCAL, entry)
        if (svc.loadBalancerSourceRanges.length !== 0) {
          add(KUBE_LOAD_BALANCER_FW, entry)
          let allowFromNode = false
          for (const cidr of svc.loadBalancerSourceRanges) {
            add(KUBE_LOAD_BALANCER_SOURCE_CIDR, `${entry},${cidr.text}`)
            if (cidrContains(cidr, cfg.nodeIP)) allowFromNode = true
          }
          // The node reaches its own LB address (source and destination both the VIP) only if its IP is allowed.
          if (allowFromNode) add(KUBE_LOAD_BALANCER_SOURCE_IP, `${entry},${ingress}`)
          else lbNoNodeAccess.push({ ip: ingress, protocol: proto, port: svc.port })
        }
        capture(ingress, svc.port, !nodeAddressSet.has(ingress), svc.externalPolicyLocal)
      }

      if (svc.nodePort !== 0 && nodeIPs.length > 0) {
        // Nodeports need SNAT, unless they're local.
        const [set, localSet, entries] =
          proto === "tcp"
            ? [KUBE_NODE_PORT_TCP, KUBE_NODE_PORT_LOCAL_TCP, [String(svc.nodePort)]]
            : proto === "udp"
              ? [KUBE_NODE_PORT_UDP, KUBE_NODE_PORT_LOCAL_UDP, [String(svc.nodePort)]]
              : [KUBE_NODE_PORT_SCTP, KUBE_NODE_PORT_LOCAL_SCTP, nodeIPs.map((ip) => `${ip},${proto}:${svc.nodePort}`)]
        for (const e of entries) add(set, e)
        if (svc.externalPolicyLocal) for (const e of entries) add(localSet, e)
        // Node IPs are not bound to the dummy device.
        for (const ip of nodeIPs) capture(ip, svc.nodePort, false, svc.externalPolicyLocal)
      }
      if (svc.healthCheckNodePort !== 0) add(KUBE_HEALTH_CHECK_NODE_PORT, String(svc.healthCheckNodePort))
      if (flags.internal) noLocalInternal++
      if (flags.external) noLocalExternal++
    }
    active.set(KUBE_IPVS_IPS, activeBindAddrs)

    // syncIPSetEntries: delete the entries no longer active, add the new ones (each in sorted order).
    for (const info of IPSET_INFO) {
      const set = kernel.ipsets.get(info.name)
      if (set === undefined) continue
      const want = active.get(info.name) as Set<string>
      const canonical = new Set([...want].map((e) => set.entryText(set.parseEntry(e))))
      for (const e of set.entries()) if (!canonical.has(e)) {
        set.del(e, true)
        this.ops++
      }
      for (const e of [...canonical].sort()) if (set.add(e, true)) this.ops++
    }

    const payload = writeIpvsIptablesRules(cfg, (s) => (active.get(s)?.size ?? 0) > 0, lbNoNodeAccess)
    let success = false
    let error: string | undefined
    try {
      kernel.restore(payload, IPVS_JUMP_RULES)
      success = true
    } catch (e) {
      error = e instanceof Error ? e.message : String(e)
    }
    if (success) {
      // Remove superfluous addresses from the dummy device, then the virtual servers not written this sync.
      for (const ip of [...alreadyBound].sort()) if (!activeBindAddrs.has(ip)) {
        kernel.unbindAddress(ip)
        this.ops++
      }
      for (const vs of [...table.services()]) if (!activeServices.has(key3(vs.spec))) {
        table.deleteService(vs.spec.protocol, vs.spec.address, vs.spec.port)
        this.ops++
      }
    }
    this.initialSync = false
    this.finishSync(success, doFullSync, now, endpointUpdate.conntrackCleanupRequired, kernel)
    let realServers = 0
    let virtualServers = 0
    for (const vs of table.services()) {
      virtualServers++
      realServers += vs.dests.length
    }
    const result: IpvsSyncResult = {
      fullSync: doFullSync,
      payload,
      success,
      error,
      servicePorts: this.svcPortMap.size,
      endpoints: totalEndpoints,
      deletedChains: 0,
      noLocalEndpointsInternal: noLocalInternal,
      noLocalEndpointsExternal: noLocalExternal,
      virtualServers,
      realServers,
      operations: this.ops,
      rulesWritten: appendRules(payload),
    }
    const { payload: _p, ...figures } = result
    this.lastResult = figures
    return result
  }

  /** NodePort addresses: every node address with match-all nodePortAddresses, else the matching ones (no loopback). */
  private nodePortIPs(nodeAddressSet: ReadonlySet<string>): string[] {
    if (![...this.svcPortMap.values()].some((s) => s.nodePort !== 0)) return []
    if (this.config.nodePortMatchAll) return [...nodeAddressSet].sort()
    return this.config.nodePortIPs.filter((ip) => !ip.startsWith("127."))
  }

  /**
   * The VirtualServer of one address: the scheduler, and ClientIP affinity as persistence (FlagPersistent, -p
   * timeout). Null for SCTP, which kubesim's IPVS model does not carry (its ipset entries are still written).
   */
  private virtualServer(svc: ServicePortInfo, address: string, port: number): IpvsServiceSpec | null {
    if (svc.protocol !== "TCP" && svc.protocol !== "UDP") return null
    return {
      protocol: svc.protocol,
      address: parseIpv4(address),
      port,
      scheduler: this.config.scheduler,
      persistence: svc.sessionAffinityType === "ClientIP" ? svc.stickyMaxAgeSeconds : null,
      netmask: 0xffffffff,
    }
  }

  /** proxier.go syncService: add or update the virtual server, then bind its address (if asked). */
  private syncService(spec: IpvsServiceSpec | null, bindAddr: boolean, alreadyBound: ReadonlySet<string>): spec is IpvsServiceSpec {
    if (spec === null) return false
    const table = this.options.kernel.ipvs
    const applied = table.getService(spec.protocol, spec.address, spec.port)
    try {
      if (applied === null) {
        table.addService(spec)
        this.ops++
      } else if (!sameSpec(applied.spec, spec)) {
        table.editService(spec)
        this.ops++
      }
    } catch (e) {
      if (e instanceof IpvsError) return false
      throw e
    }
    if (bindAddr) {
      const ip = formatIpv4(spec.address)
      if (!alreadyBound.has(ip)) {
        this.options.kernel.bindAddress(ip)
        this.ops++
      }
    }
    return true
  }

  /**
   * proxier.go syncEndpoint: the real servers of one virtual server. With `onlyNodeLocal`, the local endpoints,
   * or the cluster's when there are none (kubernetes/kubernetes#97081: local pods keep working); else the cluster
   * endpoints. New ones are added with weight 1 (one in the graceful-termination list is deleted and re-added);
   * those no longer wanted go through the graceful termination manager.
   */
  private syncEndpoint(svc: ServicePortInfo, onlyNodeLocal: boolean, spec: IpvsServiceSpec, now: Nanos, flags: { internal: boolean; external: boolean }): void {
    const table = this.options.kernel.ipvs
    const vs = table.getService(spec.protocol, spec.address, spec.port) as IpvsService
    const eps = this.endpointsMap.get(svc.name.key)
    const c = categorizeEndpoints(eps, svc, this.config.nodeName, this.config.zone)
    let chosen = c.clusterEndpoints
    if (onlyNodeLocal) {
      if (c.localEndpoints.length > 0) chosen = c.localEndpoints
      else {
        if (c.hasAnyEndpoints && svc.internalPolicyLocal) flags.internal = true
        if (c.hasAnyEndpoints && svc.externalPolicyLocal) flags.external = true
      }
    }
    const wanted = new Set<string>()
    for (const ep of chosen) {
      wanted.add(ep.text)
      const address = parseIpv4(ep.ip)
      const cur = table.findDest(vs, address, ep.port)
      if (cur !== null) {
        if (this.initialSync && cur.weight !== 1) {
          table.setWeight(vs, address, ep.port, 1)
          this.ops++
        }
        const name = uniqueRsName(vs, cur)
        if (!this.graceful.inTerminationList(name)) continue
        this.graceful.moveRSOutOfGracefulDeleteList(name)
        this.ops++
      }
      table.addDest(vs, address, ep.port, 1)
      this.ops++
    }
    const stale: IpvsDest[] = []
    for (const d of vs.dests) if (!wanted.has(`${formatIpv4(d.address)}:${d.port}`)) stale.push(d)
    stale.sort((a, b) => a.address - b.address || a.port - b.port)
    for (const d of stale) {
      if (this.graceful.inTerminationList(uniqueRsName(vs, d))) continue
      this.graceful.gracefulDeleteRS(vs, d, now)
      this.ops++
    }
  }
}

const key3 = (s: Pick<IpvsServiceSpec, "protocol" | "address" | "port">): string => `${s.protocol}/${s.address}/${s.port}`

/** utilipvs VirtualServer.Equal: address, protocol, port, scheduler, flags and timeout. */
const sameSpec = (a: IpvsServiceSpec, b: IpvsServiceSpec): boolean =>
  a.scheduler === b.scheduler && a.persistence === b.persistence && a.netmask === b.netmask

/** The `-A` lines of an iptables-restore payload. */
const appendRules = (payload: string): number => {
  let n = 0
  for (let i = payload.indexOf("\n-A "); i >= 0; i = payload.indexOf("\n-A ", i + 1)) n++
  return n
}
