import { type cluster, formatDuration, net, type Nanos, type proxy, type records } from "@kubesim/core"

/** Where a violation was seen, for the failure message. */
const at = (t: Nanos): string => formatDuration(t)

/** How stale a controller's or kube-proxy's view may be: the informer lag plus slack for the work it triggers. */
const VIEW_LAG: Nanos = 150_000_000
/**
 * How long a CoreDNS replica may serve an earlier answer: the `cache 30` of kubeadm's Corefile plus its informers'
 * lag. A delivered answer must equal what the plugin answered for the same question within this window.
 */
const DNS_STALENESS: Nanos = 31_000_000_000
/** The longest restore a small cluster's sync takes (5 ms + 2 µs a line, DEFAULT_SYNC_COST), with slack. */
const RESTORE_SLACK: Nanos = 50_000_000

interface PodTrace {
  ip: string
  /** Its labels as `k=v` (pods' labels do not change in generated runs). */
  labels: ReadonlyArray<string>
  deletedAt: Nanos | null
  /** When the pod last stopped being Ready (null while Ready or never Ready). */
  notReadySince: Nanos | null
}

interface DnsExpectation {
  readonly t: Nanos
  readonly text: string
}

const isDnsQuery = (m: unknown): m is { kind: "dns-query"; id: number; name: string; qtype: string } =>
  typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "dns-query"
const isDnsResponse = (m: unknown): boolean =>
  typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "dns-response"

/** An answer as a comparable text: rcode and the sorted answer records (the order is the server's to choose). */
const answerText = (a: { rcode: string; answer: ReadonlyArray<{ type: string; data: string }> }): string =>
  `${a.rcode} [${a.answer
    .map((r) => `${r.type} ${r.data}`)
    .sort()
    .join(", ")}]`

/**
 * Watches one run from the inside, read-only: the packet path (conservation, DNS answers, DNAT destinations),
 * the API store (EndpointSlices against pods) and every restore payload (checked against a copy of the node's
 * kernel before it lands). Its store watches add events of their own, so a monitored run's trace hash differs
 * from `kubesim run`'s; every record but `run-end` is the same.
 */
export class RunMonitor {
  readonly violations: string[] = []
  /** Counts of what was checked (so a test can tell the invariants were exercised). */
  readonly checked = { packets: 0, dnsAnswers: 0, sliceWrites: 0, dnats: 0, restores: 0 }
  private readonly live = new Map<number, net.Packet>()
  private readonly pods = new Map<string, PodTrace>()
  /** IP → since when no EndpointSlice lists it (absent: listed now, or never seen). */
  private readonly ipGoneFromSlices = new Map<string, Nanos>()
  private sliceIps = new Set<string>()
  /** Node → the times its kube-proxy's restores landed. */
  private readonly landings = new Map<string, Nanos[]>()
  private readonly dnsExpected = new Map<string, DnsExpectation>()
  /** Per question (`name qtype`), the plugin's answers at recent arrivals, oldest first. */
  private readonly dnsHistory = new Map<string, DnsExpectation[]>()
  /** Every selector each Service (`ns/name`) has had. */
  private readonly selectors = new Map<string, string[][]>()
  /** With `keepRestores`: every restore each node's kube-proxy applied, in order (for a replay into a real kernel). */
  readonly restores = new Map<string, Array<{ readonly payload: string; readonly jumps: ReadonlyArray<proxy.JumpRule> | undefined }>>()
  /** The last write to a Service or an EndpointSlice (what kube-proxy's rules follow). */
  lastRulesInput: Nanos = 0

  /**
   * `outsideClusterDomain`: also compare answers for names CoreDNS forwards upstream. Off while CoreDNS's forward
   * path is a known defect (issue 14, dns engineer: SERVFAIL or no answer over the data plane).
   */
  constructor(
    private readonly c: cluster.Cluster,
    private readonly options: { readonly outsideClusterDomain: boolean; readonly keepRestores?: boolean },
  ) {
    this.watchPackets()
    this.watchStore()
    this.auditRestores()
  }

  private fail(what: string): void {
    if (this.violations.length < 20) this.violations.push(`${at(this.c.sim.now)}: ${what}`)
  }

  private watchPackets(): void {
    const nodeHosts = new Map<net.Host, string>()
    for (const n of this.c.nodes.values()) nodeHosts.set(n.host, n.name)
    this.c.net.observer = {
      onSend: (_h, p) => {
        this.checked.packets++
        if (this.live.has(p.id)) this.fail(`packet ${p.id} sent twice`)
        this.live.set(p.id, p)
      },
      onDeliver: (h, p) => {
        if (!this.live.delete(p.id)) this.fail(`packet ${p.id} delivered at ${h.name} but not in flight`)
        if (p.proto === net.PROTO_UDP && isDnsResponse(p.payload)) this.checkDnsAnswer(h, p)
      },
      onDrop: (h, p, reason) => {
        if (!this.live.delete(p.id)) this.fail(`packet ${p.id} dropped (${reason}) at ${h.name} but not in flight`)
      },
      onArrive: (h, p) => {
        // A query reaching a CoreDNS pod: what the plugin (and its forward to the upstream zone) answers now.
        if (p.proto === net.PROTO_UDP && p.dport === 53 && isDnsQuery(p.payload) && h.name !== "upstream-dns" && !nodeHosts.has(h)) {
          const q = p.payload
          const want = { t: this.c.sim.now, text: answerText(this.c.coredns.answer({ name: q.name, qtype: q.qtype as never })) }
          this.dnsExpected.set(`${net.formatIpv4(p.src)}:${p.sport}#${q.id}#${q.name}#${q.qtype}`, want)
          const question = `${q.name.toLowerCase()} ${q.qtype}`
          const past = this.dnsHistory.get(question) ?? []
          while (past.length > 0 && (past[0] as DnsExpectation).t < want.t - DNS_STALENESS) past.shift()
          past.push(want)
          this.dnsHistory.set(question, past)
        }
      },
      onHook: (h, p, table, _hook, v) => {
        const node = nodeHosts.get(h)
        if (table === "nat" && node !== undefined && v.nat !== null && v.nat.kind === "DNAT" && v.nat.toIp !== null) this.checkDnat(node, net.formatIpv4(v.nat.toIp), p)
      },
    }
  }

  private checkDnsAnswer(h: net.Host, p: net.Packet): void {
    const r = p.payload as { id: number; name: string; qtype: string; answer: Parameters<typeof answerText>[0] }
    const key = `${net.formatIpv4(p.dst)}:${p.dport}#${r.id}#${r.name}#${r.qtype}`
    const want = this.dnsExpected.get(key)
    if (want === undefined) return
    this.dnsExpected.delete(key)
    if (!this.options.outsideClusterDomain && !r.name.toLowerCase().endsWith(`.${this.c.config.clusterDomain}.`)) return
    this.checked.dnsAnswers++
    const got = answerText(r.answer)
    // A replica's cache or informer lag may serve what the plugin answered a little earlier: that is still its answer.
    const earlier = this.dnsHistory.get(`${r.name.toLowerCase()} ${r.qtype}`) ?? []
    if (got !== want.text && !earlier.some((e) => e.text === got && e.t >= want.t - DNS_STALENESS)) this.fail(`DNS ${r.qtype} ${r.name} to ${h.name}: the packet path answered ${got}, CoreDNS's plugin answered ${want.text} at ${at(want.t)}`)
  }

  /** A new connection DNATed by a node to an IP no pod holds and no slice has listed since before its last restore. */
  private checkDnat(node: string, ip: string, p: net.Packet): void {
    this.checked.dnats++
    const gone = this.ipGoneFromSlices.get(ip)
    if (gone === undefined) return
    for (const pod of this.pods.values()) if (pod.ip === ip && pod.deletedAt === null) return
    const landed = (this.landings.get(node) ?? []).find((t) => t > gone + VIEW_LAG + RESTORE_SLACK)
    if (landed !== undefined && !this.c.node(node).failed) {
      this.fail(
        `${node} DNATed a new ${p.proto === net.PROTO_TCP ? "TCP" : "UDP"} connection from ${net.formatIpv4(p.src)} to ${ip}:${p.dport}, an address no pod holds and no EndpointSlice has listed since ${at(gone)}, although ${node}'s rules changed at ${at(landed)}`,
      )
    }
  }

  private watchStore(): void {
    const store = this.c.store
    // The scenario's manifests are applied before the monitor exists: list what is there first.
    const initial = { sendInitialEvents: true }
    store.watch("Pod", (e) => {
      const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`
      const now = this.c.sim.now
      let tr = this.pods.get(key)
      if (tr === undefined || (tr.deletedAt !== null && e.type === "ADDED")) this.pods.set(key, (tr = { ip: "", labels: Object.entries(e.object.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`), deletedAt: null, notReadySince: now }))
      if (e.type === "DELETED") {
        tr.deletedAt = now
        return
      }
      const ip = e.object.status.podIP
      if (ip !== undefined && ip !== "") tr.ip = ip
      const ready = (e.object.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
      if (ready) tr.notReadySince = null
      else if (tr.notReadySince === null) tr.notReadySince = now
    }, initial)
    store.watch("Service", (e) => {
      this.lastRulesInput = this.c.sim.now
      const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`
      const sel = e.object.spec.selector
      if (e.type === "DELETED" || sel === undefined) return
      const all = this.selectors.get(key) ?? []
      all.push(Object.entries(sel).map(([k, v]) => `${k}=${v}`))
      this.selectors.set(key, all)
    }, initial)
    store.watch("EndpointSlice", (e) => {
      this.lastRulesInput = this.c.sim.now
      this.trackSliceIps()
      if (e.type !== "DELETED") this.checkSlice(e.object)
    }, initial)
  }

  private trackSliceIps(): void {
    const now = new Set<string>()
    for (const s of this.c.store.list("EndpointSlice")) for (const ep of s.endpoints) for (const a of ep.addresses) now.add(a)
    for (const ip of this.sliceIps) if (!now.has(ip)) this.ipGoneFromSlices.set(ip, this.c.sim.now)
    for (const ip of now) this.ipGoneFromSlices.delete(ip)
    this.sliceIps = now
  }

  /** Every Ready endpoint of a slice just written names a pod that carried that IP and was Ready in the writer's view. */
  private checkSlice(s: { metadata: { name: string; namespace?: string }; endpoints: ReadonlyArray<{ addresses: ReadonlyArray<string>; conditions?: { ready?: boolean }; targetRef?: { kind?: string; name?: string; namespace?: string } }> }): void {
    this.checked.sliceWrites++
    const now = this.c.sim.now
    for (const ep of s.endpoints) {
      if (ep.conditions?.ready !== true || ep.targetRef?.kind !== "Pod") continue
      const key = `${ep.targetRef.namespace ?? s.metadata.namespace}/${ep.targetRef.name}`
      const tr = this.pods.get(key)
      const where = `EndpointSlice ${s.metadata.namespace}/${s.metadata.name}: Ready endpoint ${ep.addresses.join(",")} of pod ${key}`
      if (tr === undefined) this.fail(`${where}: no such pod ever existed`)
      else if (!ep.addresses.includes(tr.ip)) this.fail(`${where}: the pod's IP is ${tr.ip === "" ? "unset" : tr.ip}`)
      else if (tr.deletedAt !== null && tr.deletedAt < now - VIEW_LAG) this.fail(`${where}: the pod was deleted at ${at(tr.deletedAt)}`)
      else if (tr.notReadySince !== null && tr.notReadySince < now - VIEW_LAG) this.fail(`${where}: the pod is not Ready since ${at(tr.notReadySince)}`)
    }
  }

  /**
   * Each payload's restore: the kernel's restore is all or nothing (a refused payload leaves the tables as they
   * were), so a refusal is seen where it happens, recorded, and passed on to kube-proxy's own handling.
   */
  private auditRestores(): void {
    for (const n of this.c.nodes.values()) {
      const target = n.proxy.node
      const apply = target.apply.bind(target)
      const times: Nanos[] = []
      this.landings.set(n.name, times)
      const kept: Array<{ payload: string; jumps: ReadonlyArray<proxy.JumpRule> | undefined }> = []
      if (this.options.keepRestores === true) this.restores.set(n.name, kept)
      target.apply = (payload, jumps) => {
        this.checked.restores++
        if (this.options.keepRestores === true) kept.push({ payload, jumps })
        times.push(this.c.sim.now)
        try {
          apply(payload, jumps)
        } catch (e) {
          this.fail(`${n.name}: the kernel rejects kube-proxy's restore payload: ${e instanceof Error ? e.message : String(e)}`)
          throw e
        }
      }
    }
  }

  /**
   * At the end: every packet sent was delivered or dropped exactly once (checked as they end), or is still
   * travelling, and the network's counters agree. (Per-host counters do not add up: a deleted pod's host leaves
   * the network with its counters.)
   */
  checkConservation(): void {
    const g = this.c.net.counters
    if (g.inFlight !== this.live.size) this.fail(`packet counters say ${g.inFlight} in flight, the observer ${this.live.size}`)
    if (g.sent !== this.checked.packets) this.fail(`packet counters say ${g.sent} sent, the observer saw ${this.checked.packets}`)
  }

  /** At the end: every Ready endpoint in a slice is a live pod's, with its IP, and that pod is Ready. */
  checkSlicesNow(): void {
    const store = this.c.store
    for (const s of store.list("EndpointSlice")) {
      for (const ep of s.endpoints) {
        if (ep.conditions?.ready !== true || ep.targetRef?.kind !== "Pod") continue
        const p = store.get("Pod", ep.targetRef.namespace ?? s.metadata.namespace, ep.targetRef.name ?? "")
        const ready = (p?.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
        if (p === undefined || p.metadata.deletionTimestamp !== undefined || !ready || !ep.addresses.includes(p.status.podIP ?? "")) {
          this.fail(`EndpointSlice ${s.metadata.namespace}/${s.metadata.name} lists ${ep.addresses.join(",")} (pod ${ep.targetRef.name}) as Ready, but the pod is ${p === undefined ? "gone" : `${p.metadata.deletionTimestamp !== undefined ? "terminating" : ready ? "Ready" : "not Ready"} with IP ${p.status.podIP ?? "none"}`}`)
        }
      }
    }
  }

  /**
   * Requests addressed to a Service by name were answered by one of its pods: the record names that Service, and
   * the answering pod's labels match a selector the Service had at some point of the run (edits may change it).
   */
  checkBackends(recs: ReadonlyArray<records.RunRecord>): void {
    for (const r of recs) {
      if (r.kind !== "request" || r.outcome !== "ok" || r.pod === null || r.service === null) continue
      const host = /^https?:\/\/([a-z0-9-]+)(\.[a-z0-9-]+)?(\.svc\.cluster\.local)?[:/]/.exec(r.url)
      if (host === null) continue
      const ns = host[2]?.slice(1) ?? "default"
      const svc = `${ns}/${host[1]}`
      if (!r.service.startsWith(svc)) {
        this.fail(`request ${r.id} (${r.client} ${r.url} at ${at(r.t)}) is recorded as service ${r.service}`)
        continue
      }
      const pod = this.pods.get(`${ns}/${r.pod}`)
      const ok = pod !== undefined && (this.selectors.get(svc) ?? []).some((sel) => sel.every((l) => pod.labels.includes(l)))
      if (!ok) this.fail(`request ${r.id} (${r.client} ${r.url} at ${at(r.t)}) was answered by pod ${r.pod} (${pod?.labels.join(",") ?? "unknown"}), which ${svc} never selected`)
    }
  }

  /** A restore the kernel refused, as kube-proxy records it once it no longer aborts the run (verb `restore-failed`). */
  checkRefusedRestores(recs: ReadonlyArray<records.RunRecord>): void {
    for (const r of recs) if (r.kind === "action" && r.verb === "restore-failed") this.fail(`${r.actor} at ${at(r.t)}: the kernel refused a restore: ${r.detail ?? ""}`)
  }

  /** The requests' records: each has an outcome and a cause that fit, and none outlives its timeouts. */
  checkRequests(recs: ReadonlyArray<records.RunRecord>, end: Nanos, boundOf: (client: string) => Nanos): void {
    for (const r of recs) {
      if (r.kind !== "request") continue
      const what = `request ${r.id} (${r.client} ${r.url} at ${at(r.t)})`
      if (r.outcome === "failed" && r.cause === null) this.fail(`${what} failed without a cause`)
      if (r.outcome === "ok" && (r.cause !== null || r.status === null)) this.fail(`${what} is ok with cause ${r.cause} and status ${r.status}`)
      const bound = boundOf(r.client)
      if (r.outcome === "in-flight" && r.t + bound < end) this.fail(`${what} is still in flight at ${at(end)}, past its timeouts (${at(bound)})`)
      if (r.end !== null && r.end - r.t > bound) this.fail(`${what} took ${at(r.end - r.t)}, past its timeouts (${at(bound)})`)
    }
  }
}
