/**
 * kube-proxy iptables-mode scale: sync time and memory for many services on one node, and for many nodes
 * sharing rendered rules and proxier states (IptablesRenderCache, ProxyStateStore). Wall-clock timing is the point of a benchmark, so it lives here,
 * never in the simulator.
 */
import type { EndpointSliceView, ServiceView } from "../packages/core/src/k8s/proxy/api-view"
import { IptablesProxier } from "../packages/core/src/k8s/proxy/iptables/iptables-proxier"
import { IptablesRenderCache } from "../packages/core/src/k8s/proxy/iptables/render-cache"

/** CPU seconds of this process (user + system): robust to other work sharing the machine. */
const clock = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
const heapMB = (): number => {
  globalThis.gc?.()
  return process.memoryUsage().heapUsed / 2 ** 20
}

const countLines = (s: string): number => {
  let n = 0
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++
  return n
}

const world = (services: number, endpointsPerService: number, nodes: number) => {
  const svcs: ServiceView[] = []
  const slices: EndpointSliceView[] = []
  for (let i = 0; i < services; i++) {
    const ns = `ns${i % 50}`
    const name = `svc${i}`
    svcs.push({
      metadata: { namespace: ns, name },
      spec: { type: i % 10 === 0 ? "NodePort" : "ClusterIP", clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: "http", port: 80, protocol: "TCP", ...(i % 10 === 0 ? { nodePort: 30000 + (i % 2768) } : {}) }] },
    })
    const endpoints = []
    for (let e = 0; e < endpointsPerService; e++) {
      const n = i * endpointsPerService + e
      endpoints.push({ addresses: [`10.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`], nodeName: `node-${n % nodes}` })
    }
    slices.push({ metadata: { namespace: ns, name: `${name}-abcde`, labels: { "kubernetes.io/service-name": name } }, addressType: "IPv4", endpoints, ports: [{ name: "http", port: 8080, protocol: "TCP" }] })
  }
  return { svcs, slices }
}

const makeProxier = (node: number, cache: IptablesRenderCache, sink: { bytes: number; lines: number }) =>
  new IptablesProxier(
    { nodeName: `node-${node}`, nodeIPs: [`192.168.${node >> 8}.${node & 255}`], clusterCIDR: "10.64.0.0/10" },
    { now: () => 0, renderCache: cache, sink: { restore: (p) => ((sink.bytes += p.length), (sink.lines += countLines(p))) } },
  )

const singleNode = (services: number, eps: number) => ({
  name: `kube-proxy iptables: ${services} services × ${eps} endpoints, one node`,
  run() {
    const { svcs, slices } = world(services, eps, 100)
    const before = heapMB()
    const sink = { bytes: 0, lines: 0 }
    const cache = new IptablesRenderCache()
    const p = makeProxier(0, cache, sink)
    for (const s of svcs) p.onServiceAdd(s)
    for (const s of slices) p.onEndpointSliceAdd(s)
    p.onServiceSynced()
    const t0 = clock()
    p.onEndpointSlicesSynced()
    const full = clock() - t0
    const fullBytes = sink.bytes
    const fullLines = sink.lines
    const mem = heapMB() - before
    // One endpoint changes: a partial sync rewrites only that service's chains.
    const old = slices[0] as EndpointSliceView
    p.onEndpointSliceUpdate(old, { ...old, endpoints: old.endpoints.slice(1) })
    const t1 = clock()
    p.syncProxyRules()
    const partial = clock() - t1
    // A forced full resync with nothing changed reuses every rendered block.
    const t2 = clock()
    p.forceSyncProxyRules()
    const resync = clock() - t2
    return {
      events: 3,
      seconds: full + partial + resync,
      fullSyncSeconds: full,
      partialSyncSeconds: partial,
      cachedFullResyncSeconds: resync,
      payloadMB: fullBytes / 2 ** 20,
      payloadLines: fullLines,
      natRules: p.lastResult?.natRulesTotal ?? 0,
      heapMB: mem,
    }
  },
})

const manyNodes = (nodes: number, services: number, eps: number) => ({
  name: `kube-proxy iptables: ${nodes} nodes × ${services} services × ${eps} endpoints (shared render cache)`,
  run() {
    const { svcs, slices } = world(services, eps, nodes)
    const before = heapMB()
    const cache = new IptablesRenderCache()
    const sink = { bytes: 0, lines: 0 }
    const proxiers: IptablesProxier[] = []
    const t0 = clock()
    for (let n = 0; n < nodes; n++) {
      const p = makeProxier(n, cache, sink)
      for (const s of svcs) p.onServiceAdd(s)
      for (const s of slices) p.onEndpointSliceAdd(s)
      p.onServiceSynced()
      p.onEndpointSlicesSynced()
      proxiers.push(p)
    }
    const seconds = clock() - t0
    const mem = heapMB() - before
    // Keep the proxiers reachable until after the measurement.
    const retained = proxiers.reduce((n, p) => n + p.svcPortMap.size, 0)
    return {
      events: nodes,
      servicePortsRetained: retained,
      seconds,
      secondsPerNodeSync: seconds / nodes,
      heapMB: mem,
      heapMBPerNode: mem / nodes,
      renderCacheHitRate: cache.hits / Math.max(1, cache.hits + cache.misses),
      // Proxiers taking a step another already took share its state, rendered rules and payload.
      sharedStateHitRate: cache.states.hits / Math.max(1, cache.states.hits + cache.states.misses),
      payloadMBTotal: sink.bytes / 2 ** 20,
    }
  },
})

const nodeServices = Number(process.env["KUBESIM_BENCH_PROXY_NODE_SERVICES"] ?? 1000)

export default [singleNode(10_000, 5), manyNodes(1000, nodeServices, 5)]
