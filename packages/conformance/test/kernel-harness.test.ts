import { spawn } from "node:child_process"
import { readdirSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TWO_NODES } from "../src/cluster/standard-cluster"
import { KernelTopology } from "../src/kernel/kernel-topology"
import { NetnsRegistry, sweepStaleNamespaces } from "../src/kernel/netns-registry"
import { NETNS_DIR, nextRunPrefix } from "../src/kernel/run-prefix"
import { runCommand } from "../src/kernel/run-command"
import { fitProblem, twoStageFit } from "../src/stats/two-stage-fit"
import { countOutcomes, type RequestOutcome } from "../src/traffic/request-outcome"
import type { TopologySpec } from "../src/topology/topology-spec"
import { decideSkip, skipReason } from "./kernel-gate"

const reason = skipReason()

/** Outcomes without their timing, for exact comparison. */
const plain = (out: ReadonlyArray<RequestOutcome>) => out.map(({ ms: _ms, ...rest }) => rest)

const spec: TopologySpec = {
  ...TWO_NODES,
  pods: [
    { name: "web-a", node: "node-1", ip: "10.244.1.5", port: 8080 },
    { name: "web-b", node: "node-2", ip: "10.244.2.5", port: 8080 },
  ],
  clients: [
    { kind: "pod", name: "busybox", node: "node-1", ip: "10.244.1.9" },
    { kind: "external", name: "ext", ips: ["10.0.0.101", "10.0.0.102"] },
  ],
}

// Hand-written rules in kube-proxy's shape (pkg/proxy/iptables/proxier.go): a ClusterIP with two endpoints
// split by `statistic`, masquerade for off-cluster sources, and a REJECT for a Service without endpoints.
const RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-T - [0:0]
:KUBE-SEP-A - [0:0]
:KUBE-SEP-B - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -j MASQUERADE --random-fully
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-T
-A KUBE-SVC-T ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-T -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-A
-A KUBE-SVC-T -j KUBE-SEP-B
-A KUBE-SEP-A -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-SEP-B -p tcp -m tcp -j DNAT --to-destination 10.244.2.5:8080
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
-A FORWARD -m conntrack --ctstate NEW -j KUBE-SERVICES
-A OUTPUT -m conntrack --ctstate NEW -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.11/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
COMMIT
`

describe.skipIf(reason !== null)("kernel harness (real network namespaces)", () => {
  let topo: KernelTopology

  beforeAll(async () => {
    topo = await KernelTopology.build(spec)
  })
  afterAll(() => topo?.teardown())

  it("connects pods across nodes; the pod sees the client's own address", async () => {
    const out = await topo.client("busybox").requests({ host: "10.244.2.5", port: 8080 }, [null], 3)
    expect(plain(out)).toEqual(Array(3).fill({ source: null, pod: "web-b", peer: "10.244.1.9" }))
    expect(out.every((o) => typeof o.ms === "number" && o.ms >= 0)).toBe(true)
  })

  it("answers a closed port with ECONNREFUSED (RST)", async () => {
    const out = await topo.client("busybox").requests({ host: "10.244.1.5", port: 9 }, [null], 1)
    expect(plain(out)).toEqual([{ source: null, error: "ECONNREFUSED" }])
  })

  it("loads kube-proxy-shaped rules and splits a ClusterIP by statistic; REJECT gives ECONNREFUSED", async () => {
    topo.restore("node-1", RULES)
    expect(topo.save("node-1")).toContain("--probability 0.50000000000")
    // The two-stage rule of the cases (stats/two-stage-fit.ts): a borderline p is redrawn once, not failed.
    const fit = await twoStageFit(async () => {
      const out = await topo.client("busybox").requests({ host: "10.96.0.10", port: 80 }, [null], 200)
      const { perPod, errors } = countOutcomes(out, ["web-a", "web-b"])
      expect(errors.size).toBe(0)
      expect(perPod[0]! + perPod[1]!).toBe(200)
      return perPod
    }, [0.5, 0.5])
    expect(fit.fits, fitProblem("kernel", fit)).toBe(true)
    const ext = await topo.client("ext").requests({ host: "10.96.0.10", port: 80 }, ["10.0.0.101", "10.0.0.102"], 20)
    // Off-cluster sources are masqueraded (so both endpoints can answer) to node-1's address: the pod veths
    // have none of their own.
    expect(ext.every((o) => "pod" in o && o.peer === "10.0.0.10")).toBe(true)
    const rejected = await topo.client("busybox").requests({ host: "10.96.0.11", port: 80 }, [null], 3)
    expect(plain(rejected)).toEqual(Array(3).fill({ source: null, error: "ECONNREFUSED" }))
  })

  it("reports iptables-restore's own error for a bad payload", () => {
    expect(() => topo.restore("node-1", "*nat\n-A NO-SUCH-CHAIN -j ACCEPT\nCOMMIT\n")).toThrow(/iptables-restore/)
  })

  it("keeps an open connection's endpoint when the rules change (conntrack)", async () => {
    const client = topo.client("busybox")
    const first = await client.open("held", { host: "10.96.0.10", port: 80 }, null)
    expect("pod" in first).toBe(true)
    const pinned = (first as { pod: string }).pod
    const other = pinned === "web-a" ? "10.244.2.5:8080" : "10.244.1.5:8080"
    topo.restore("node-1", RULES.replace(/--to-destination 10\.244\.\d\.5:8080/g, `--to-destination ${other}`))
    expect(await client.again("held")).toMatchObject({ pod: pinned })
    const fresh = await client.requests({ host: "10.96.0.10", port: 80 }, [null], 5)
    expect(fresh.every((o) => "pod" in o && o.pod !== pinned)).toBe(true)
    await client.close("held")
  })
})

describe.skipIf(reason !== null)("namespace lifecycle", () => {
  it("teardown removes every namespace of the run", async () => {
    const topo = await KernelTopology.build({ ...spec, pods: spec.pods.slice(0, 1), clients: [] })
    const mine = () => readdirSync(NETNS_DIR).filter((n) => n.startsWith(`${topo.prefix}-`))
    expect(mine().length).toBe(4)
    topo.teardown()
    expect(mine()).toEqual([])
  })

  const FIXTURE = fileURLToPath(new URL("./fixtures/build-then-wait.mts", import.meta.url))
  const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url))
  const namespacesOf = (prefix: string) => readdirSync(NETNS_DIR).filter((n) => n.startsWith(`${prefix}-`))
  /** Runs the fixture, waits for its prefix, optionally signals it, and returns the prefix after it exited. */
  const runFixture = (mode: "wait" | "crash", signal?: NodeJS.Signals) =>
    new Promise<{ prefix: string; aliveBefore: number }>((resolve, reject) => {
      const child = spawn(TSX, [FIXTURE, mode], { stdio: ["ignore", "pipe", "pipe"] })
      let prefix = ""
      let aliveBefore = 0
      child.stdout.on("data", (d: Buffer) => {
        if (prefix !== "") return
        prefix = d.toString().trim()
        aliveBefore = namespacesOf(prefix).length
        if (signal !== undefined) child.kill(signal)
      })
      child.on("error", reject)
      child.on("exit", () => (prefix === "" ? reject(new Error("fixture exited before building")) : resolve({ prefix, aliveBefore })))
    })

  // SIGINT and SIGHUP take the same handler as SIGTERM (netns-registry.ts installExitHooks).
  it("a run killed by SIGTERM removes its namespaces", async () => {
    const { prefix, aliveBefore } = await runFixture("wait", "SIGTERM")
    expect(aliveBefore).toBe(4)
    expect(namespacesOf(prefix)).toEqual([])
  })

  it("a run that crashes removes its namespaces", async () => {
    const { prefix, aliveBefore } = await runFixture("crash")
    expect(aliveBefore).toBe(4)
    expect(namespacesOf(prefix)).toEqual([])
  })

  it("the sweeper removes namespaces whose owner is dead and keeps live ones", () => {
    const live = new NetnsRegistry()
    try {
      const keep = live.add(`${nextRunPrefix()}-keep`)
      const stale = new NetnsRegistry().add(`${nextRunPrefix()}-stale`)
      writeFileSync(`/run/kubesim-conformance/${stale}`, "999999999") // no such pid
      const removed = sweepStaleNamespaces()
      expect(removed).toContain(stale)
      expect(removed).not.toContain(keep)
      expect(readdirSync(NETNS_DIR)).toContain(keep)
      expect(runCommand(["ip", "netns", "list"]).stdout).not.toContain(stale)
    } finally {
      live.teardown()
    }
  })
})

describe("skipping", () => {
  it("skips with the reason where the kernel cannot be used, but fails under CI or when required", () => {
    const no = { ok: false, reason: "not running as root" } as const
    expect(decideSkip(no, {})).toBe("not running as root")
    expect(() => decideSkip(no, { CI: "true" })).toThrow(/required here but cannot run: not running as root/)
    expect(() => decideSkip(no, { KUBESIM_CONFORMANCE_REQUIRED: "1" })).toThrow(/required/)
    expect(decideSkip({ ok: true, iptablesVersion: "v1.8.9" }, { CI: "true" })).toBeNull()
  })
})

if (reason !== null) {
  describe(`kernel conformance SKIPPED: ${reason}`, () => {
    it.skip("needs root, network namespaces and iptables", () => {})
  })
}
