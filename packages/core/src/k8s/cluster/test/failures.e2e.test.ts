import { describe, expect, it } from "vitest"
import { Cluster } from "../cluster"
import { MS, S, applySeed, requestsOf, rulesCaughtUp, seedManifest, wgetLoopPod } from "./e2e-support"

/** A busybox pod running the seed's loop faster (sleep 0.05), so short windows get sampled. */
const fastLoop = wgetLoopPod("loop", "http://web-service", "0.05", "Never")

describe("requests when a Service loses every pod", () => {
  const c = Cluster.create({ seed: 11 })
  let clientNode = ""

  it("with no churn every request succeeds", () => {
    applySeed(c, "service1deployment.yml")
    applySeed(c, "service1.yml")
    c.runUntil(20 * S)
    c.apply(fastLoop, { file: "loop.yml" })
    c.runUntil(60 * S)
    clientNode = c.store.get("Pod", "default", "loop")?.spec.nodeName as string
    const reqs = requestsOf(c, "loop")
    expect(reqs.length).toBeGreaterThan(300)
    expect(reqs.every((r) => r.outcome === "ok")).toBe(true)
  })

  it("scaled to 0: before the rules catch up requests fail with the data plane's cause; after, they are REJECTed", () => {
    const t0 = c.sim.now
    c.apply(seedManifest("service1deployment.yml").replace("replicas: 3", "replicas: 0"), { file: "service1deployment.yml" })
    c.runUntil(t0 + 200 * S)
    expect(c.store.list("Pod", { namespace: "default" }).map((p) => p.metadata.name)).toEqual(["loop"])
    // The first sync on the client's node whose rules no longer send web-service anywhere.
    const caught = rulesCaughtUp(c, clientNode, t0, (s) => s["default/web-service"] === undefined) as number
    expect(caught).toBeGreaterThan(t0)
    expect(caught).toBeLessThan(t0 + 5 * S)
    const after = requestsOf(c, "loop", caught + 10 * MS)
    expect(after.length).toBeGreaterThan(100)
    for (const r of after) {
      expect(r.outcome).toBe("failed")
      expect(r.cause).toBe("rejected")
    }
    // kube-proxy's filter rule for a Service without endpoints (proxier.go: "has no endpoints" REJECT).
    expect(c.iptablesSave(clientNode)).toMatch(/-A KUBE-SERVICES -d \S+ -p tcp -m comment --comment "default\/web-service has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable/)
    const before = requestsOf(c, "loop", t0, caught).filter((r) => r.outcome === "failed")
    expect(before.length).toBeGreaterThan(0)
    for (const r of before) expect(["refused", "timeout", "reset", "rejected"]).toContain(r.cause)
    // While the endpoints were still in the rules, the pods had stopped listening (nginx's graceful quit closes
    // its socket) or were gone: the kernel's answer, not kube-proxy's.
    expect(before.some((r) => r.cause === "refused" || r.cause === "timeout")).toBe(true)
  })
})
