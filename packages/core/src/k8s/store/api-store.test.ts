import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../../test-support/runs"
import { Simulation, millis, seconds } from "../../sim/index"
import { type KubeObject, type Pod, type Service, decodeManifests, defaultPod, defaultService } from "../api/index"
import { ApiStore } from "./api-store"
import type { WatchEvent } from "./watch"

const service = (name: string, port: number, affinity: "None" | "ClientIP", clusterIP?: string): Service =>
  defaultService({ apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { app: name }, ports: [{ port }], sessionAffinity: affinity, ...(clusterIP ? { clusterIP } : {}) } }, "default")

const pod = (name: string, image: string, tier: string, nodeName?: string): Pod =>
  defaultPod({ apiVersion: "v1", kind: "Pod", metadata: { name, labels: { tier } }, spec: { containers: [{ name: "c", image }], ...(nodeName ? { nodeName } : {}) } }, "default")

describe("ApiStore examples", () => {
  test("create sets uid (UUID v4), resourceVersion, generation and creationTimestamp from simulated time", () => {
    const sim = new Simulation(7)
    const store = new ApiStore(sim)
    sim.run({ until: seconds(65) })
    const r = store.create(service("web", 80, "None"))
    expect(r.ok).toBe(true)
    const o = store.get("Service", "default", "web")!
    expect(o.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(o.metadata).toMatchObject({ resourceVersion: "1", generation: 1, creationTimestamp: "2024-01-01T00:01:05Z", namespace: "default" })
    expect(store.create(service("web", 80, "None"))).toMatchObject({ ok: false, reason: "AlreadyExists", message: 'services "web" already exists' })
    // Same seed, same uid.
    const again = new ApiStore(new Simulation(7))
    again.create(service("web", 80, "None"))
    expect(again.get("Service", "default", "web")?.metadata.uid).toBe(o.metadata.uid)
  })

  test("apply: created, configured, unchanged; server-set clusterIP and nodePort survive; clusterIP is immutable", () => {
    const store = new ApiStore(new Simulation(1))
    // An admission hook standing in for the allocators.
    store.addAdmission((obj) =>
      obj.kind === "Service" && obj.spec.clusterIP === undefined ? { ...obj, spec: { ...obj.spec, clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"] } } : obj,
    )
    expect(store.apply(service("web", 80, "None"))).toMatchObject({ ok: true, action: "created" })
    expect(store.apply(service("web", 80, "None"))).toMatchObject({ ok: true, action: "unchanged" })
    const r = store.apply(service("web", 80, "ClientIP"))
    expect(r).toMatchObject({ ok: true, action: "configured", object: { spec: { clusterIP: "10.96.0.10", sessionAffinity: "ClientIP" } } })
    expect(store.resourceVersion).toBe("2")
    const bad = store.apply(service("web", 80, "ClientIP", "10.96.0.99"))
    expect(bad).toMatchObject({ ok: false, reason: "Invalid", message: 'The Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set' })
  })

  test("apply: NodePort back to ClusterIP drops the allocated node ports (strategy.go dropTypeDependentFields)", () => {
    const store = new ApiStore(new Simulation(1))
    store.addAdmission((obj) => {
      if (obj.kind !== "Service") return obj
      const ports = obj.spec.ports.map((p) => (obj.spec.type === "NodePort" && p.nodePort === undefined ? { ...p, nodePort: 30080 } : p))
      return { ...obj, spec: { ...obj.spec, ports, ...(obj.spec.clusterIP === undefined ? { clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"] } : {}) } }
    })
    const typed = (type: "ClusterIP" | "NodePort"): Service =>
      defaultService({ apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { type, selector: { app: "web" }, ports: [{ port: 80 }] } }, "default")
    expect(store.apply(typed("ClusterIP"))).toMatchObject({ ok: true, action: "created" })
    expect(store.apply(typed("NodePort"))).toMatchObject({ ok: true, action: "configured", object: { spec: { ports: [{ port: 80, nodePort: 30080 }] } } })
    const back = store.apply(typed("ClusterIP"))
    expect(back).toMatchObject({ ok: true, action: "configured", object: { spec: { type: "ClusterIP", clusterIP: "10.96.0.10" } } })
    expect(store.get("Service", "default", "web")?.spec.ports[0]?.nodePort).toBeUndefined()
  })

  test("a Deployment's selector is immutable, with the API server's Go-syntax value", () => {
    const store = new ApiStore(new Simulation(1))
    const deploy = (app: string) =>
      decodeManifests(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-deploy}\nspec:\n  selector: {matchLabels: {app: ${app}}}\n  template:\n    metadata: {labels: {app: ${app}}}\n    spec: {containers: [{name: nginx, image: nginx}]}\n`).objects[0]!.object
    expect(store.apply(deploy("web"))).toMatchObject({ ok: true, action: "created" })
    expect(store.apply(deploy("web2"))).toMatchObject({
      ok: false,
      reason: "Invalid",
      message:
        'The Deployment "web-deploy" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    })
  })

  test("apply rejects an invalid object with kubectl's message", () => {
    const store = new ApiStore(new Simulation(1))
    const r = store.apply(service("web", 70000, "None"))
    // targetPort defaults to port, so both fail, as on a real API server; kubectl lists several causes as `* …` lines.
    expect(r).toMatchObject({
      ok: false,
      message:
        'The Service "web" is invalid:\n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    })
  })

  test("graceful pod deletion: deletionTimestamp now + grace, then the kubelet's delete with grace 0 removes it", () => {
    const sim = new Simulation(1)
    const store = new ApiStore(sim)
    const seen: string[] = []
    store.onGracefulDeletion((p) => seen.push(`${p.metadata.name}@${p.metadata.deletionTimestamp}`))
    store.create(pod("web-1", "nginx", "a", "node-1"))
    store.create(pod("pending", "nginx", "a"))
    sim.run({ until: seconds(10) })
    const r = store.delete("Pod", "default", "web-1")
    expect(r).toMatchObject({ ok: true, action: "terminating", object: { metadata: { deletionTimestamp: "2024-01-01T00:00:40Z", deletionGracePeriodSeconds: 30, generation: 2 } } })
    expect(seen).toEqual(["web-1@2024-01-01T00:00:40Z"])
    // An unbound pod goes at once.
    expect(store.delete("Pod", "default", "pending")).toMatchObject({ ok: true, action: "deleted" })
    expect(store.delete("Pod", "default", "web-1", { gracePeriodSeconds: 0 })).toMatchObject({ ok: true, action: "deleted" })
    expect(store.get("Pod", "default", "web-1")).toBeUndefined()
    expect(store.delete("Pod", "default", "web-1")).toMatchObject({ ok: false, reason: "NotFound", message: 'pods "web-1" not found' })
  })

  test("generateName picks a 5-character suffix; update enforces resourceVersion preconditions", () => {
    const store = new ApiStore(new Simulation(3))
    const p = pod("", "nginx", "a")
    const r = store.create({ ...p, metadata: { ...p.metadata, generateName: "web-deploy-5d9f7ffff8-" } })
    expect(r.ok && r.object.metadata.name).toMatch(/^web-deploy-5d9f7ffff8-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
    if (!r.ok) return
    const status = { ...r.object, status: { ...r.object.status, phase: "Running" as const } }
    expect(store.update(status, { resourceVersion: "0" })).toMatchObject({ ok: false, reason: "Conflict" })
    expect(store.update(status, { resourceVersion: r.object.metadata.resourceVersion! })).toMatchObject({ ok: true, object: { metadata: { generation: 1 } } })
  })

  test("seed manifests apply", () => {
    const store = new ApiStore(new Simulation(1))
    const r = decodeManifests("apiVersion: v1\nkind: Service\nmetadata: {name: web-service}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n")
    for (const m of r.objects) expect(store.apply(m.object).ok).toBe(true)
    expect(store.list("Service").map((s) => s.metadata.name)).toEqual(["web-service"])
  })
})

// ---- model-based test -------------------------------------------------------------------------------------

interface ExpectedEvent {
  readonly type: string
  readonly name: string
  readonly rv: number
  readonly at: number
}

interface Model {
  /** name → applied spec key; generation; terminating. */
  services: Map<string, { key: string; generation: number }>
  /** grace: the deletion grace period once terminating. */
  pods: Map<string, { tier: string; image: string; terminating: boolean; grace: number; generation: number }>
  lastRv: number
  expected: Map<string, ExpectedEvent[]>
}

interface Real {
  sim: Simulation
  store: ApiStore
  received: Map<string, ExpectedEvent[]>
}

const WATCHERS = [
  { id: "svc-now", kind: "Service" as const, delay: 0 },
  { id: "svc-late", kind: "Service" as const, delay: millis(7) },
  { id: "pod-front", kind: "Pod" as const, delay: millis(3), tier: "front" },
]

const expectEvent = (m: Model, r: Real, kind: "Service" | "Pod", type: string, name: string, rv: number, before?: string, after?: string) => {
  for (const w of WATCHERS) {
    if (w.kind !== kind) continue
    let t: string | undefined = type
    if (w.tier !== undefined) {
      const was = before === w.tier
      const is = after === w.tier
      if (type === "MODIFIED") t = was && is ? "MODIFIED" : is ? "ADDED" : was ? "DELETED" : undefined
      else if (type === "ADDED") t = is ? "ADDED" : undefined
      else t = was ? "DELETED" : undefined
    }
    if (t !== undefined) m.expected.get(w.id)!.push({ type: t, name, rv, at: r.sim.now + w.delay })
  }
}

class ApplyServiceCmd implements fc.Command<Model, Real> {
  constructor(readonly name: string, readonly port: number, readonly affinity: "None" | "ClientIP") {}
  check = () => true
  run(m: Model, r: Real): void {
    const res = r.store.apply(service(this.name, this.port, this.affinity))
    expect(res.ok).toBe(true)
    if (!res.ok) return
    const key = `${this.port}/${this.affinity}`
    const prev = m.services.get(this.name)
    const rv = Number(res.object.metadata.resourceVersion)
    if (prev === undefined) {
      expect(res.action).toBe("created")
      expect(rv).toBeGreaterThan(m.lastRv)
      m.services.set(this.name, { key, generation: 1 })
      expectEvent(m, r, "Service", "ADDED", this.name, rv)
      m.lastRv = rv
    } else if (prev.key === key) {
      expect(res.action).toBe("unchanged")
      expect(rv).toBeLessThanOrEqual(m.lastRv)
    } else {
      expect(res.action).toBe("configured")
      expect(rv).toBeGreaterThan(m.lastRv)
      prev.key = key
      prev.generation++
      expectEvent(m, r, "Service", "MODIFIED", this.name, rv)
      m.lastRv = rv
    }
    expect(res.object.metadata.generation).toBe(m.services.get(this.name)!.generation)
  }
  toString = () => `apply service ${this.name} port ${this.port} ${this.affinity}`
}

class ApplyPodCmd implements fc.Command<Model, Real> {
  constructor(readonly name: string, readonly image: string, readonly tier: string) {}
  check = (m: Readonly<Model>) => {
    const p = m.pods.get(this.name)
    // A pod's labels may change but its spec (besides the image) may not, and a terminating pod is left alone.
    return p === undefined || !p.terminating
  }
  run(m: Model, r: Real): void {
    const prev = m.pods.get(this.name)
    const res = r.store.apply(pod(this.name, this.image, this.tier, "node-1"))
    expect(res.ok).toBe(true)
    if (!res.ok) return
    const rv = Number(res.object.metadata.resourceVersion)
    if (prev === undefined) {
      expect(res.action).toBe("created")
      m.pods.set(this.name, { tier: this.tier, image: this.image, terminating: false, grace: 0, generation: 1 })
      expectEvent(m, r, "Pod", "ADDED", this.name, rv, undefined, this.tier)
      m.lastRv = rv
    } else if (prev.tier === this.tier && prev.image === this.image) {
      expect(res.action).toBe("unchanged")
    } else {
      expect(res.action).toBe("configured")
      expect(rv).toBeGreaterThan(m.lastRv)
      // Only the image is spec: a label change leaves generation alone.
      if (prev.image !== this.image) prev.generation++
      expectEvent(m, r, "Pod", "MODIFIED", this.name, rv, prev.tier, this.tier)
      prev.tier = this.tier
      prev.image = this.image
      m.lastRv = rv
    }
    expect(res.object.metadata.generation).toBe(m.pods.get(this.name)!.generation)
  }
  toString = () => `apply pod ${this.name} image ${this.image} tier ${this.tier}`
}

class DeleteCmd implements fc.Command<Model, Real> {
  constructor(readonly kind: "Service" | "Pod", readonly name: string, readonly grace: number | undefined) {}
  check = () => true
  run(m: Model, r: Real): void {
    const res = r.store.delete(this.kind, "default", this.name, this.grace === undefined ? {} : { gracePeriodSeconds: this.grace })
    const exists = this.kind === "Service" ? m.services.has(this.name) : m.pods.has(this.name)
    if (!exists) {
      expect(res).toMatchObject({ ok: false, reason: "NotFound" })
      return
    }
    expect(res.ok).toBe(true)
    if (!res.ok) return
    const rv = Number(res.object.metadata.resourceVersion)
    if (this.kind === "Service") {
      expect(res.action).toBe("deleted")
      m.services.delete(this.name)
      expectEvent(m, r, "Service", "DELETED", this.name, rv)
      m.lastRv = rv
      return
    }
    const p = m.pods.get(this.name)!
    const grace = this.grace ?? 30
    if (grace !== 0 && (!p.terminating || grace < p.grace)) {
      // The first graceful delete bumps generation; a later, shorter one only moves deletionTimestamp.
      expect(res.action).toBe("terminating")
      expect(res.object.metadata.deletionGracePeriodSeconds).toBe(grace)
      if (!p.terminating) p.generation++
      expect(res.object.metadata.generation).toBe(p.generation)
      p.terminating = true
      p.grace = grace
      expectEvent(m, r, "Pod", "MODIFIED", this.name, rv, p.tier, p.tier)
      m.lastRv = rv
    } else if (grace !== 0) {
      // Already terminating with a period no longer than this one: nothing changes.
      expect(res.action).toBe("terminating")
      expect(rv).toBeLessThanOrEqual(m.lastRv)
    } else {
      expect(res.action).toBe("deleted")
      m.pods.delete(this.name)
      expectEvent(m, r, "Pod", "DELETED", this.name, rv, p.tier)
      m.lastRv = rv
    }
  }
  toString = () => `delete ${this.kind} ${this.name}${this.grace === undefined ? "" : ` --grace-period=${this.grace}`}`
}

class AdvanceCmd implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true
  run(m: Model, r: Real): void {
    r.sim.run({ until: r.sim.now + millis(this.ms) })
    for (const w of WATCHERS) {
      const exp = m.expected.get(w.id)!.filter((e) => e.at <= r.sim.now)
      expect(r.received.get(w.id)).toEqual(exp)
    }
  }
  toString = () => `advance ${this.ms}ms`
}

describe("ApiStore model", () => {
  const names = fc.constantFrom("web", "api", "db")
  const commands = [
    fc.tuple(names, fc.constantFrom(80, 443), fc.constantFrom("None" as const, "ClientIP" as const)).map(([n, p, a]) => new ApplyServiceCmd(n, p, a)),
    fc.tuple(names, fc.constantFrom("nginx:1", "nginx:2"), fc.constantFrom("front", "back")).map(([n, i, t]) => new ApplyPodCmd(n, i, t)),
    fc.tuple(fc.constantFrom("Service" as const, "Pod" as const), names, fc.constantFrom(undefined, 0, 5)).map(([k, n, g]) => new DeleteCmd(k, n, g)),
    fc.integer({ min: 0, max: 10 }).map((ms) => new AdvanceCmd(ms)),
  ]

  test("resourceVersion increases, generation follows spec changes, watch events arrive in order after each delay", () => {
    fc.assert(
      fc.property(fc.integer(), fc.commands(commands, { maxCommands: 40 }), (seed, cmds) => {
        const sim = new Simulation(seed)
        const store = new ApiStore(sim)
        const received = new Map<string, ExpectedEvent[]>()
        for (const w of WATCHERS) {
          const log: ExpectedEvent[] = []
          received.set(w.id, log)
          store.watch(
            w.kind,
            (e: WatchEvent<"Pod" | "Service">) => void log.push({ type: e.type, name: e.object.metadata.name, rv: Number(e.object.metadata.resourceVersion), at: sim.now }),
            { delay: w.delay, ...(w.tier !== undefined ? { labelSelector: { matchLabels: { tier: w.tier } } } : {}) },
          )
        }
        const model: Model = { services: new Map(), pods: new Map(), lastRv: 0, expected: new Map(WATCHERS.map((w) => [w.id, []])) }
        fc.modelRun(() => ({ model, real: { sim, store, received } }), [...cmds, new AdvanceCmd(20)])
        for (const log of received.values()) {
          for (let i = 1; i < log.length; i++) expect(log[i]!.rv).toBeGreaterThan(log[i - 1]!.rv)
        }
        const all: KubeObject[] = store.all()
        expect(all.length).toBe(model.services.size + model.pods.size)
      }),
      { numRuns: runs(300) },
    )
  })
})
