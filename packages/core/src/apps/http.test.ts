import { describe, expect, it } from "vitest"
import { NANOS_PER_MILLI, NANOS_PER_SECOND } from "../sim/index"
import type { RequestRecord } from "../records/index"
import { HttpClient } from "./http-client"
import { RequestLoop } from "./request-loop"
import { KUBE_DNS_IP, WEB_SERVICE_IP, makeSmallCluster } from "./test-support/small-cluster"

const S = NANOS_PER_SECOND
const MS = NANOS_PER_MILLI

const requests = (c: { records: { ofKind(k: "request"): RequestRecord[] } }) => c.records.ofKind("request")

describe("wget against web-service over DNS and kube-proxy rules", () => {
  it("succeeds, naming the pod, endpoint, source IP, service and node", () => {
    const c = makeSmallCluster()
    const client = new HttpClient(c.client, c.env, { name: "busybox", resolver: c.resolver, labeller: c.labeller })
    client.request("http://web-service")
    c.sim.run()
    const [r] = requests(c)
    expect(r).toBeDefined()
    const rec = r as RequestRecord
    expect(rec.outcome).toBe("ok")
    expect(rec.status).toBe(200)
    expect(rec.dst).toBe(`${WEB_SERVICE_IP}:80`)
    expect(rec.service).toBe("default/web-service:")
    expect(rec.node).toBe("node-0")
    expect(rec.clientIp).toBe("10.244.0.200")
    expect(rec.sourceIp).toBe("10.244.0.200")
    const backend = c.web.find((w) => `${w.ip}:80` === rec.endpoint)
    expect(backend).toBeDefined()
    expect(rec.pod).toBe(backend?.server.config.hostname)
    expect(rec.connection).toBe(1)
    expect(rec.latency).toBe((rec.end as number) - rec.t)
    // The server's default 100 µs service time plus DNS and a handshake: well under a few ms.
    expect(rec.latency).toBeGreaterThan(100_000)
    expect(rec.latency).toBeLessThan(5 * MS)
    // musl: web-service.default.svc.cluster.local A and AAAA, to the kube-dns ClusterIP.
    // Records are written when each datagram ends; sort by send time and type to compare.
    const dns = c.records.ofKind("dns").sort((x, y) => x.t - y.t || x.qtype.localeCompare(y.qtype))
    expect(dns.map((d) => `${d.name} ${d.qtype} ${d.rcode} ${d.answers} ${d.server}`)).toEqual([
      `web-service.default.svc.cluster.local. A NOERROR 1 ${KUBE_DNS_IP}:53`,
      `web-service.default.svc.cluster.local. AAAA NOERROR 0 ${KUBE_DNS_IP}:53`,
    ])
    expect(c.resolver.counters).toMatchObject({ sent: 2, answered: 2, timedOut: 0, inFlight: 0 })
    expect(c.coredns[0]!.stats.received + c.coredns[1]!.stats.received).toBe(2)
  })

  it("the seed's loop spreads over the backends, one request a second after the previous ends", () => {
    const c = makeSmallCluster()
    const client = new HttpClient(c.client, c.env, { name: "busybox", resolver: c.resolver, labeller: c.labeller })
    new RequestLoop(client, "http://web-service").start()
    c.sim.run({ until: 60 * S })
    const rs = requests(c)
    expect(rs.length).toBeGreaterThanOrEqual(59)
    expect(rs.every((r) => r.outcome === "ok")).toBe(true)
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.t).toBe((rs[i - 1]!.end as number) + S)
    const pods = new Set(rs.map((r) => r.pod))
    expect(pods).toEqual(new Set(["web-0", "web-1", "web-2"]))
    // One connection per request, each with its own id; ids are unique and in issue order.
    expect(rs.map((r) => r.connection)).toEqual(rs.map((_, i) => i + 1))
    expect(rs.map((r) => r.id)).toEqual(rs.map((_, i) => i + 1))
    // Every request did its own lookup (wget): two datagrams each.
    expect(c.records.ofKind("dns").length).toBe(2 * rs.length)
  })

  it("resolve once: a single lookup for many requests", () => {
    const c = makeSmallCluster()
    const client = new HttpClient(c.client, c.env, { name: "busybox", resolver: c.resolver, resolve: "once" })
    new RequestLoop(client, "http://web-service", { maxRequests: 5 }).start()
    c.sim.run()
    expect(requests(c).length).toBe(5)
    expect(c.resolver.counters.lookups).toBe(1)
  })

  it("a name that does not resolve fails with cause dns after the whole search walk", () => {
    const c = makeSmallCluster()
    const client = new HttpClient(c.client, c.env, { name: "busybox", resolver: c.resolver })
    client.request("http://no-such-service")
    c.sim.run()
    const [r] = requests(c)
    expect(r).toMatchObject({ outcome: "failed", cause: "dns", dst: "no-such-service", connection: 0, endpoint: null, pod: null })
    // 3 search domains + the name itself, A and AAAA each; the bare name is forwarded upstream over the network.
    expect(c.resolver.counters.sent).toBe(8)
    expect(c.coredns[0]!.stats.forwarded + c.coredns[1]!.stats.forwarded).toBe(2)
    expect(c.upstream.stats.received).toBe(2)
  })
})

describe("failure causes", () => {
  it("refused: nothing listens on the port (RST)", () => {
    const c = makeSmallCluster()
    const client = new HttpClient(c.client, c.env, { name: "busybox" })
    client.request(`http://${c.web[0]!.ip}:81/`)
    c.sim.run()
    expect(requests(c)[0]).toMatchObject({ outcome: "failed", cause: "refused", dst: `${c.web[0]!.ip}:81` })
  })

  it("rejected: a service without endpoints (kube-proxy's REJECT rule)", () => {
    const c = makeSmallCluster({ extraServices: [{ name: "default/empty:", ip: "10.96.200.1", port: 80, proto: "tcp", endpoints: [] }] })
    const client = new HttpClient(c.client, c.env, { name: "busybox", labeller: c.labeller })
    client.request("http://10.96.200.1/")
    c.sim.run()
    const r = requests(c)[0] as RequestRecord
    expect(r).toMatchObject({ outcome: "failed", cause: "rejected", service: "default/empty:" })
    expect(r.latency).toBeLessThan(MS)
  })

  it("timeout: a black-holed endpoint costs the kernel's SYN retries (127 s), or the app's connect timeout", () => {
    const dead = { name: "default/dead:", ip: "10.96.200.2", port: 80, proto: "tcp" as const, endpoints: ["10.244.1.99:80"] }
    const c = makeSmallCluster({ extraServices: [dead] })
    const wget = new HttpClient(c.client, c.env, { name: "busybox" })
    const curl = new HttpClient(c.client, c.env, { name: "curl", connectTimeout: 5 * S })
    wget.request("http://10.96.200.2/")
    curl.request("http://10.96.200.2/")
    c.sim.run()
    // Written in end order: curl gives up first.
    const a = requests(c).find((r) => r.client === "busybox")
    const b = requests(c).find((r) => r.client === "curl")
    expect(b).toMatchObject({ client: "curl", outcome: "failed", cause: "timeout", latency: 5 * S })
    expect(a).toMatchObject({ client: "busybox", outcome: "failed", cause: "timeout" })
    // tcp_syn_retries 6: 1 + 2 + 4 + 8 + 16 + 32 + 64 s.
    expect(a!.latency).toBe(127 * S)
  })

  it("reset: the server dies with its sockets reset while answering", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "constant", value: 2 * S } } })
    const client = new HttpClient(c.client, c.env, { name: "busybox" })
    client.request(`http://${c.web[0]!.ip}/`)
    c.sim.run({ until: S })
    c.web[0]!.server.kill()
    c.sim.run()
    expect(requests(c)[0]).toMatchObject({ outcome: "failed", cause: "reset" })
    expect(c.web[0]!.server.state).toBe("stopped")
  })

  it("a response timeout fails the request with cause timeout", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "constant", value: 10 * S } } })
    const client = new HttpClient(c.client, c.env, { name: "busybox", responseTimeout: 3 * S })
    client.request(`http://${c.web[0]!.ip}/`)
    c.sim.run()
    const r = requests(c)[0] as RequestRecord
    expect(r).toMatchObject({ outcome: "failed", cause: "timeout" })
    expect(r.latency).toBeGreaterThan(3 * S)
    expect(r.latency).toBeLessThan(3 * S + MS)
  })
})

describe("keep-alive and multiplexing", () => {
  it("keep-alive reuses a connection for N requests", () => {
    const c = makeSmallCluster({ webPods: 1 })
    const client = new HttpClient(c.client, c.env, { name: "app", mode: { kind: "keep-alive", maxRequests: 3 } })
    new RequestLoop(client, `http://${c.web[0]!.ip}/`, { maxRequests: 7, pause: 100 * MS }).start()
    c.sim.run()
    const rs = requests(c)
    expect(rs.map((r) => r.outcome)).toEqual(Array(7).fill("ok"))
    expect(rs.map((r) => r.connection)).toEqual([1, 1, 1, 2, 2, 2, 3])
    expect(c.web[0]!.server.stats.accepted).toBe(3)
  })

  it("keep-alive for T seconds, and the server's keepalive_requests closes sooner", () => {
    const c = makeSmallCluster({ webPods: 1, web: { keepaliveRequests: 2 } })
    const client = new HttpClient(c.client, c.env, { name: "app", mode: { kind: "keep-alive", maxAge: 10 * S } })
    new RequestLoop(client, `http://${c.web[0]!.ip}/`, { maxRequests: 6, pause: S }).start()
    c.sim.run()
    expect(requests(c).map((r) => r.connection)).toEqual([1, 1, 2, 2, 3, 3])
    const d = makeSmallCluster({ webPods: 1 })
    const e = new HttpClient(d.client, d.env, { name: "app", mode: { kind: "keep-alive", maxAge: 2500 * MS } })
    new RequestLoop(e, `http://${d.web[0]!.ip}/`, { maxRequests: 6, pause: S }).start()
    d.sim.run()
    expect(requests(d).map((r) => r.connection)).toEqual([1, 1, 1, 2, 2, 2])
  })

  it("the server closes an idle keep-alive connection after keepalive_timeout; the next request reconnects", () => {
    const c = makeSmallCluster({ webPods: 1, web: { keepaliveTimeout: 5 * S } })
    const srv = c.web[0]!.server
    const client = new HttpClient(c.client, c.env, { name: "app", mode: { kind: "keep-alive" } })
    const url = `http://${c.web[0]!.ip}/`
    new RequestLoop(client, url, { maxRequests: 3, pause: 4 * S }).start()
    c.sim.run({ until: 12 * S })
    expect(srv.openConnections).toBe(1)
    c.sim.run({ until: 14 * S })
    expect(srv.openConnections).toBe(0)
    client.request(url)
    c.sim.run()
    const rs = requests(c)
    expect(rs.every((r) => r.outcome === "ok")).toBe(true)
    expect(rs.map((r) => r.connection)).toEqual([1, 1, 1, 2])
  })

  it("multiplexed: many concurrent requests on one connection", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "exponential", mean: 20 * MS } } })
    const client = new HttpClient(c.client, c.env, { name: "grpc", mode: { kind: "multiplexed" } })
    for (let i = 0; i < 50; i++) client.request(`http://${c.web[0]!.ip}/`)
    c.sim.run()
    const rs = requests(c)
    expect(rs.length).toBe(50)
    expect(rs.every((r) => r.outcome === "ok" && r.connection === 1)).toBe(true)
    expect(c.web[0]!.server.stats.accepted).toBe(1)
    // Concurrent, not sequential: all 50 took far less than 50 × 20 ms.
    expect(Math.max(...rs.map((r) => r.end as number))).toBeLessThan(400 * MS)
  })

  it("concurrency limit: requests beyond maxConcurrentRequests queue", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "constant", value: 100 * MS }, maxConcurrentRequests: 2 } })
    const client = new HttpClient(c.client, c.env, { name: "grpc", mode: { kind: "multiplexed" } })
    for (let i = 0; i < 6; i++) client.request(`http://${c.web[0]!.ip}/`)
    c.sim.run()
    const lat = requests(c).map((r) => Math.round((r.latency as number) / (100 * MS)))
    expect(lat).toEqual([1, 1, 2, 2, 3, 3])
  })

  it("worker_connections: connections beyond the limit wait to be accepted", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "constant", value: 100 * MS }, workerConnections: 2 } })
    const client = new HttpClient(c.client, c.env, { name: "wget" })
    for (let i = 0; i < 4; i++) client.request(`http://${c.web[0]!.ip}/`)
    c.sim.run()
    const lat = requests(c).map((r) => Math.round((r.latency as number) / (100 * MS)))
    expect(lat).toEqual([1, 1, 2, 2])
    expect(c.web[0]!.server.stats.backlogPeak).toBe(2)
  })
})

describe("shutdown", () => {
  it("SIGQUIT (graceful): in-flight requests finish, idle connections close, new connections are refused", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "constant", value: 2 * S } } })
    const srv = c.web[0]!.server
    const url = `http://${c.web[0]!.ip}/`
    const wget = new HttpClient(c.client, c.env, { name: "wget" })
    const idle = new HttpClient(c.client, c.env, { name: "idle", mode: { kind: "keep-alive" } })
    idle.request(url)
    c.sim.run({ until: 3 * S })
    expect(srv.openConnections).toBe(1)
    wget.request(url)
    c.sim.run({ until: 3 * S + 500 * MS })
    srv.signal("SIGQUIT")
    expect(srv.state).toBe("draining")
    expect(srv.openConnections).toBe(1)
    c.sim.run({ until: 4 * S })
    wget.request(url)
    c.sim.run()
    const rs = requests(c)
    expect(rs.map((r) => `${r.client} ${r.outcome} ${r.cause}`)).toEqual(["idle ok null", "wget failed refused", "wget ok null"])
    expect(srv.state).toBe("stopped")
    expect(srv.openConnections).toBe(0)
  })

  it("SIGTERM (fast): in-flight requests are lost", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "constant", value: 2 * S } } })
    const wget = new HttpClient(c.client, c.env, { name: "wget" })
    wget.request(`http://${c.web[0]!.ip}/`)
    c.sim.run({ until: S })
    c.web[0]!.server.signal("SIGTERM")
    c.sim.run()
    expect(requests(c)[0]).toMatchObject({ outcome: "failed", cause: "reset" })
    expect(c.web[0]!.server.stats.dropped).toBe(1)
  })

  it("requests still in flight at the end of the run are written as in-flight", () => {
    const c = makeSmallCluster({ webPods: 1, web: { serviceTime: { kind: "constant", value: 10 * S } } })
    const wget = new HttpClient(c.client, c.env, { name: "wget" })
    wget.request(`http://${c.web[0]!.ip}/`)
    c.sim.run({ until: S })
    c.env.flushInFlight()
    expect(requests(c)[0]).toMatchObject({ outcome: "in-flight", end: null, latency: null, connection: 1 })
  })
})
