import { describe, expect, test } from "vitest"
import { ScenarioError } from "../format/scenario-issue"
import { loadScenarioText } from "../format/load-scenario"
import { prepareScenario } from "../validate/prepare-scenario"
import { clusterConfigOf } from "./cluster-config-of"
import { checkClusterFits, clusterSize } from "./cluster-memory"

const scenario = (cluster: string) =>
  loadScenarioText(`apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: size}
cluster:
${cluster}
duration: 1s
`, "size.yaml")

const configOf = (cluster: string) => clusterConfigOf(prepareScenario(scenario(cluster)), 1).config

describe("cluster size in a scenario", () => {
  test("up to 247 nodes keep kind's addresses 172.18.0.3, .4, …; beyond, node IPs skip the cluster's reserved ones; /24 pod CIDRs in order", () => {
    const small = configOf("  nodes: 3")
    expect(small.nodes?.map((n) => [n.ip, n.podCIDR])).toEqual([
      ["172.18.0.3", "10.244.1.0/24"],
      ["172.18.0.4", "10.244.2.0/24"],
      ["172.18.0.5", "10.244.3.0/24"],
    ])
    const big = configOf("  nodes: 5000\n  podCIDR: 10.128.0.0/11\n  maxPods: 250")
    const ips = big.nodes?.map((n) => n.ip) ?? []
    expect(ips).toHaveLength(5000)
    expect(new Set(ips).size).toBe(5000)
    for (const reserved of ["172.18.0.250", "172.18.0.254", "172.18.0.2", "172.18.255.200"]) expect(ips).not.toContain(reserved)
    expect(ips[247]).toBe("172.18.0.251")
    expect(big.nodes?.[4999]?.podCIDR).toBe("10.147.136.0/24")
    expect(big.maxPods).toBe(250)
  })

  test("a podCIDR with fewer /24s than nodes plus the control plane is refused, naming the size asked for and the prefix needed", () => {
    let err: unknown
    try {
      configOf("  nodes: 300")
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ScenarioError)
    expect((err as Error).message).toContain("cluster.podCIDR")
    expect((err as Error).message).toContain("300 nodes and the control plane need 301 /24 pod CIDRs (kube-controller-manager --node-cidr-mask-size 24) but podCIDR 10.244.0.0/16 holds 256")
    expect((err as Error).message).toContain("use a /15 or larger podCIDR")
  })

  test("a cluster too big for the heap is refused before anything is built, naming the size asked for", () => {
    const p = prepareScenario(
      loadScenarioText(`apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: huge}
cluster: {nodes: 5000, podCIDR: 10.128.0.0/11}
manifests:
  - inline: |
      {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 150000, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: nginx, image: nginx}]}}}}
      ---
      {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80}]}}
duration: 1s
`, "huge.yaml"),
    )
    expect(clusterSize(p)).toMatchObject({ nodes: 5000, services: 1, pods: 150000 })
    expect(() => checkClusterFits(p, 2 ** 30)).toThrow(
      /huge\.yaml.*the cluster asked for — 5000 nodes, 1 Services, 150000 pods — needs about 4\.7 GB of memory, more than this process's 1\.0 GB heap limit/s,
    )
    expect(() => checkClusterFits(p, 64 * 2 ** 30)).not.toThrow()
  })
})
