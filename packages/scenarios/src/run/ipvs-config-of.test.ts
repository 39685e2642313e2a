import { describe, expect, test } from "vitest"
import { decodeScenarioText } from "../format/decode-scenario"
import { loadScenarioText } from "../format/load-scenario"
import { ScenarioError } from "../format/scenario-issue"
import { applyOverrides, parseSetArgument } from "../overrides/apply-overrides"
import { prepareScenario } from "../validate/prepare-scenario"
import { clusterConfigOf } from "./cluster-config-of"
import { ipvsConfigOf } from "./ipvs-config-of"

const base = "apiVersion: kubesim.dev/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nduration: 10s\n"
const S = 1_000_000_000

const ipvsOf = (yaml: string) => {
  const d = decodeScenarioText(`${base}cluster:\n  proxyMode: ipvs\n  ipvs: ${yaml}\n`, "s.yaml")
  if (!d.ok) throw new Error(d.issues.map((i) => i.message).join("\n"))
  return ipvsConfigOf(d.scenario.cluster?.ipvs ?? {})
}

/** False while the scenario layer still refuses `proxyMode: ipvs` (until the IPVS proxier is merged). */
const scenarioLayerAcceptsIpvs = (): boolean => {
  try {
    clusterConfigOf(prepareScenario(loadScenarioText(`${base}cluster: {proxyMode: ipvs}\n`, "s.yaml")), 1)
    return true
  } catch (e) {
    if (e instanceof ScenarioError && e.issues.some((i) => i.path === "cluster.proxyMode")) return false
    throw e
  }
}

describe("cluster.ipvs → the core's proxy.ipvs", () => {
  test("scheduler as written; durations in nanoseconds; fields left out keep the core's defaults", () => {
    expect(ipvsOf("{scheduler: lc, tcpTimeout: 15m, tcpFinTimeout: 30s, udpTimeout: 0s}")).toEqual({ scheduler: "lc", tcpTimeout: 900 * S, tcpFinTimeout: 30 * S, udpTimeout: 0 })
    expect(ipvsOf("{udpTimeout: 1m30s}")).toEqual({ udpTimeout: 90 * S })
    expect(ipvsOf("{}")).toEqual({})
  })

  test('scheduler "" is upstream\'s default algorithm: left to the core (rr)', () => {
    expect(ipvsOf('{scheduler: ""}')).toEqual({})
  })

  test("--set cluster.ipvs.scheduler=lc goes through the override path; under another mode it is refused", () => {
    const loaded = loadScenarioText(`${base}cluster: {proxyMode: ipvs}\n`, "s.yaml")
    const s = applyOverrides(loaded.scenario, [parseSetArgument("cluster.ipvs.scheduler=lc"), parseSetArgument("cluster.ipvs.tcpTimeout=0")])
    expect(s.cluster?.ipvs).toEqual({ scheduler: "lc", tcpTimeout: "0" })
    expect(ipvsConfigOf(s.cluster?.ipvs ?? {})).toEqual({ scheduler: "lc", tcpTimeout: 0 })
    const nft = loadScenarioText(`${base}cluster: {proxyMode: nftables}\n`, "s.yaml")
    expect(() => applyOverrides(nft.scenario, [parseSetArgument("cluster.ipvs.scheduler=lc")])).toThrow(
      /--set cluster\.ipvs\.scheduler=lc: cluster\.ipvs: an IPVS option under nftables mode: cluster\.ipvs \(scheduler\) configures kube-proxy's ipvs mode, but cluster\.proxyMode is nftables/,
    )
    expect(() => applyOverrides(loaded.scenario, [parseSetArgument("cluster.ipvs.scheduler=wlc")])).toThrow(/wlc \(weighted least-connection, ip_vs_wlc\.c\) is a kernel IPVS scheduler kubesim does not model/)
  })

  test.skipIf(!scenarioLayerAcceptsIpvs())("clusterConfigOf puts them under proxy.ipvs (skipped while the scenario layer rejects proxyMode ipvs)", () => {
    const p = prepareScenario(loadScenarioText(`${base}cluster:\n  proxyMode: ipvs\n  ipvs: {scheduler: sh, udpTimeout: 10s}\n`, "s.yaml"))
    expect(clusterConfigOf(p, 1).config.proxy).toEqual({ mode: "ipvs", ipvs: { scheduler: "sh", udpTimeout: 10 * S } })
  })
})
