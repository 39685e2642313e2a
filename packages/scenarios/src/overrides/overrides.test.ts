import { describe, expect, test } from "vitest"
import { loadScenarioText } from "../format/load-scenario"
import { ScenarioError } from "../format/scenario-issue"
import { applyOverrides, parseSetArgument, variantOverrides } from "./apply-overrides"
import { parseDottedPath } from "./dotted-path"

const loaded = loadScenarioText(
  `apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: t}
duration: 10s
cluster: {nodes: 2}
clients:
  - {name: c, pod: busybox, traffic: {type: poisson, url: "http://web/", rate: 2}}
variants:
  - name: fast
    set: {"clients[0].traffic.rate": 20, cluster.proxyMode: nftables}
  - name: broken
    set: {"clients[0].traffic.rate": fast}
`,
  "s.yaml",
)

const errorOf = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => `${i.file}: ${i.message}`).join("\n")
    throw e
  }
  throw new Error("expected a ScenarioError")
}

describe("dotted paths", () => {
  test("keys, indices and quoted keys", () => {
    expect(parseDottedPath('clients[0].traffic.rate')).toEqual(["clients", 0, "traffic", "rate"])
    expect(parseDottedPath('cluster.delays["a.b"]')).toEqual(["cluster", "delays", "a.b"])
    expect(() => parseDottedPath("a..b")).toThrow(/empty key/)
    expect(() => parseDottedPath("a[x]")).toThrow(/index or a quoted key/)
  })
})

describe("overrides", () => {
  test("--set values are read as YAML and type-checked against the schema", () => {
    const s = applyOverrides(loaded.scenario, [parseSetArgument("clients[0].traffic.rate=5"), parseSetArgument("cluster.proxyMode=nftables")])
    expect(s.clients?.[0]?.traffic).toMatchObject({ rate: 5 })
    expect(s.cluster?.proxyMode).toBe("nftables")
    // The original is untouched.
    expect(loaded.scenario.clients?.[0]?.traffic).toMatchObject({ rate: 2 })
  })

  test("a string field keeps the text as written", () => {
    expect(applyOverrides(loaded.scenario, [parseSetArgument("metadata.description=007")]).metadata.description).toBe("007")
  })

  test("a value of the wrong type names the override, the path and the expected type", () => {
    expect(errorOf(() => applyOverrides(loaded.scenario, [parseSetArgument("clients[0].traffic.rate=fast")]))).toBe(
      '--set clients[0].traffic.rate=fast: clients[0].traffic.rate: expected number > 0, found string "fast"',
    )
    expect(errorOf(() => applyOverrides(loaded.scenario, [parseSetArgument("cluster.proxyMod=nftables")]))).toBe('--set cluster.proxyMod=nftables: cluster: unknown field "proxyMod"')
    expect(errorOf(() => applyOverrides(loaded.scenario, [parseSetArgument("clients[5].name=x")]))).toMatch(/index 5 is past the end of clients \(length 1\)/)
    expect(errorOf(() => applyOverrides(loaded.scenario, [parseSetArgument("variants[0].name=x")]))).toMatch(/variants cannot be overridden/)
  })

  test("variants share the mechanism", () => {
    const s = applyOverrides(loaded.scenario, variantOverrides(loaded.scenario, "fast"))
    expect(s.clients?.[0]?.traffic).toMatchObject({ rate: 20 })
    expect(s.cluster).toEqual({ nodes: 2, proxyMode: "nftables" })
    expect(errorOf(() => applyOverrides(loaded.scenario, variantOverrides(loaded.scenario, "broken")))).toMatch(/^variant "broken" set clients\[0\]\.traffic\.rate: clients\[0\]\.traffic\.rate: expected number > 0/)
    expect(errorOf(() => variantOverrides(loaded.scenario, "nope"))).toMatch(/no variant "nope" in scenario "t" \(known: default, fast, broken\)/)
  })
})
