import { describe, expect, test } from "vitest"
import { decodeScenarioText } from "../format/decode-scenario"
import { loadScenarioText } from "../format/load-scenario"
import { ScenarioError } from "../format/scenario-issue"
import { prepareScenario } from "../validate/prepare-scenario"
import { clusterConfigOf } from "./cluster-config-of"

const base = "apiVersion: kubesim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nduration: 10s\n"

/** The core config of a scenario's `cluster:` block, or every problem clusterConfigOf reports. */
const configOf = (cluster: string): ReturnType<typeof clusterConfigOf>["config"] | string[] => {
  const d = decodeScenarioText(`${base}cluster:\n${cluster}`, "s.yaml")
  if (!d.ok) return d.issues.map((i) => i.message)
  try {
    return clusterConfigOf(prepareScenario(loadScenarioText(`${base}cluster:\n${cluster}`, "s.yaml")), 1).config
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => i.message)
    throw e
  }
}

describe("cluster.externalServers", () => {
  test("servers pass through to the core config (port default left to the core)", () => {
    const c = configOf("  externalServers: [{name: api, ip: 93.184.216.34}, {name: lan-web, ip: 172.18.1.9, port: 8080}]\n")
    expect(Array.isArray(c) ? c : c.externalServers).toEqual([
      { name: "api", ip: "93.184.216.34" },
      { name: "lan-web", ip: "172.18.1.9", port: 8080 },
    ])
  })

  test("an address another host or range uses is an error naming both", () => {
    expect(
      configOf(
        "  externalServers: [{name: a, ip: 172.18.0.3}, {name: b, ip: 10.244.7.7}, {name: c, ip: 10.96.0.20}, {name: d, ip: 172.18.0.254}, {name: e, ip: 9.9.9.9}, {name: f, ip: 9.9.9.9}]\n",
      ),
    ).toEqual([
      "cluster.externalServers[0].ip: 172.18.0.3 is already node kind-worker",
      "cluster.externalServers[1].ip: 10.244.7.7 is already the pod CIDR 10.244.0.0/16",
      "cluster.externalServers[2].ip: 10.96.0.20 is already the Service CIDR 10.96.0.0/12",
      "cluster.externalServers[3].ip: 172.18.0.254 is already the upstream DNS server",
      "cluster.externalServers[5].ip: 9.9.9.9 is already external server e",
    ])
  })

  test("a name another host has is an error", () => {
    expect(configOf("  externalServers: [{name: kind-worker, ip: 9.9.9.9}, {name: upstream-dns, ip: 9.9.9.8}]\n")).toEqual([
      'cluster.externalServers[0].name: "kind-worker" is already the name of node kind-worker',
      'cluster.externalServers[1].name: "upstream-dns" is already the name of the upstream DNS server',
    ])
  })

  test("a malformed address or port is a schema error", () => {
    const m = configOf("  externalServers: [{name: a, ip: 93.184.216, port: 70000}]\n")
    expect(m).toHaveLength(2)
    expect(String(m)).toMatch(/IPv4 address/)
    expect(String(m)).toMatch(/port \(integer 1-65535\)/)
  })
})

describe("cluster.network and cluster.zones", () => {
  const cfg = (cluster: string) => {
    const c = configOf(cluster)
    if (Array.isArray(c)) throw new Error(c.join("\n"))
    return c
  }

  test("absent: no network config at all, so the core keeps its one-LAN defaults (trace hashes unchanged)", () => {
    expect(cfg("  nodes: 2\n").network).toBeUndefined()
  })

  test("the top level is the nodes' network; classes refine it; crossZone defaults to nodes; veth keeps 5 µs", () => {
    expect(cfg("  network: {latency: 200us, jitter: 20us, nodes: {loss: 0.01}, crossZone: {latency: 2ms}, external: {latency: 10ms}}\n").network).toEqual({
      veth: { latency: 5_000 },
      nodes: { latency: 200_000, jitter: 20_000, loss: 0.01 },
      crossZone: { latency: 2_000_000, jitter: 20_000, loss: 0.01 },
      external: { latency: 10_000_000, jitter: 20_000 },
    })
    expect(cfg("  network: {veth: {latency: 50us}}\n").network).toEqual({
      veth: { latency: 50_000 },
      nodes: { latency: 100_000 },
      crossZone: { latency: 100_000 },
      external: { latency: 100_000 },
    })
  })

  test("zones are dealt round-robin as topology.kubernetes.io/zone; a node's own zone label wins", () => {
    const c = cfg("  nodes: [{name: a1}, {name: b1}, {name: x, labels: {topology.kubernetes.io/zone: z9, disk: ssd}}, {name: b2}]\n  zones: [za, zb]\n")
    expect(c.nodes?.map((n) => [n.name, n.labels])).toEqual([
      ["a1", { "topology.kubernetes.io/zone": "za" }],
      ["b1", { "topology.kubernetes.io/zone": "zb" }],
      ["x", { "topology.kubernetes.io/zone": "z9", disk: "ssd" }],
      ["b2", { "topology.kubernetes.io/zone": "zb" }],
    ])
  })

  test("bad values name the field and what was expected", () => {
    const m = configOf("  network: {latency: fast, crossZone: {loss: 2}, lateny: 1ms}\n  zones: [-a]\n")
    expect(Array.isArray(m) && m.length).toBe(4)
    const text = String(m)
    expect(text).toMatch(/cluster\.network\.latency: expected duration/)
    expect(text).toMatch(/cluster\.network\.crossZone\.loss: expected probability in \[0, 1\]/)
    expect(text).toMatch(/cluster\.network: unknown field "lateny"/)
    expect(text).toMatch(/cluster\.zones\[0\]: expected zone name/)
  })
})
