import { describe, expect, test } from "vitest"
import { decodeScenarioText } from "./decode-scenario"

const base = `apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: t}
duration: 10s
`
const messages = (text: string): string[] => {
  const r = decodeScenarioText(text, "s.yaml")
  if (r.ok) return []
  return r.issues.map((i) => `${i.line ?? "-"}: ${i.message}`)
}

describe("decodeScenarioText", () => {
  test("a minimal scenario decodes", () => {
    const r = decodeScenarioText(base, "s.yaml")
    expect(r.ok && r.scenario.metadata.name).toBe("t")
  })

  test("an unknown action names the action, its line and the known verbs", () => {
    expect(messages(`${base}actions:\n  - at: 1s\n    restart: {deployment: web}\n`)).toEqual([
      '7: actions[0]: unknown action "restart" (expected one of apply, delete, scale, kill, rollout, failNode, recoverNode, setReadiness)',
    ])
  })

  test("a bad duration names the field, what was expected and found, and why", () => {
    const m = messages(base.replace("10s", "10 seconds"))
    expect(m).toHaveLength(1)
    expect(m[0]).toMatch(/^4: duration: expected duration \(Go syntax, e\.g\. "1s", "250ms", "1m30s"\), found string "10 seconds" \(invalid duration/)
  })

  test("all problems together, with field paths through unions", () => {
    const m = messages(`${base}clients:
  - name: c
    pod: busybox
    traffic: {type: poisson, url: "http://x", rate: fast}
  - name: d
    external: {count: 0}
    traffic: {type: poison, url: "http://x"}
churn:
  - {type: kill-pods, selector: {app: web}}
`)
    expect(m).toEqual([
      '8: clients[0].traffic.rate: expected number > 0, found string "fast"',
      "10: clients[1].external.count: expected integer ≥ 1, found number 0",
      '11: clients[1].traffic.type: expected "loop" or "poisson" or "closed" or "ramp" or "burst", found string "poison"',
    ])
  })

  test("structural rules: one verb per action, pod xor external, rate xor schedule, unique names", () => {
    const m = messages(`${base}actions:
  - {at: 1s, failNode: a, recoverNode: a}
clients:
  - {name: c, traffic: {type: loop, url: "http://x"}}
  - {name: c, pod: p, traffic: {type: loop, url: "http://x"}}
churn:
  - {type: kill-pods, selector: {app: web}}
variants:
  - {name: default, set: {}}
`)
    expect(m).toEqual([
      "6: actions[0]: one action per entry, found failNode and recoverNode",
      "8: clients[0]: a client runs in a pod or on external hosts: give exactly one of pod, external",
      '9: clients[1].name: duplicate client name "c"',
      "11: churn[0]: kill-pods needs exactly one of rate, schedule",
      '13: variants[0].name: the variant name "default" is reserved for the scenario as written',
    ])
  })

  test("unknown fields and YAML syntax errors", () => {
    expect(messages(`${base}clusterr: {}\n`)).toEqual(['5: unknown field "clusterr"'])
    expect(messages(`${base}cluster:\n  nodes: 2\n proxyMode: x\n`)[0]).toMatch(/^7: YAML syntax: /)
  })
})

describe("cluster.ipvs (KubeProxyIPVSConfiguration)", () => {
  const ipvs = (mode: string | null, opts: string) => `${base}cluster:\n${mode === null ? "" : `  proxyMode: ${mode}\n`}  ipvs: ${opts}\n`

  test("the modelled schedulers and timeouts decode under proxyMode ipvs", () => {
    for (const s of ["rr", "wrr", "lc", "sh", '""']) expect(messages(ipvs("ipvs", `{scheduler: ${s}}`))).toEqual([])
    expect(messages(ipvs("ipvs", "{tcpTimeout: 15m, tcpFinTimeout: 30s, udpTimeout: 0s}"))).toEqual([])
  })

  test("a kernel scheduler kubesim does not model is named as such, with the modelled ones", () => {
    expect(messages(ipvs("ipvs", "{scheduler: dh}"))).toEqual([
      '7: cluster.ipvs.scheduler: expected IPVS scheduler (rr, wrr, lc or sh), found string "dh" (dh (destination hashing, ip_vs_dh.c) is a kernel IPVS scheduler kubesim does not model; modelled: rr, wrr, lc, sh)',
    ])
    for (const s of ["wlc", "lblc", "lblcr", "sed", "nq", "fo", "ovf", "mh", "twos"]) {
      expect(messages(ipvs("ipvs", `{scheduler: ${s}}`))[0]).toContain(`(${s} (`)
    }
  })

  test("a name that is no IPVS scheduler lists the kernel's and the modelled ones", () => {
    expect(messages(ipvs("ipvs", "{scheduler: random}"))).toEqual([
      '7: cluster.ipvs.scheduler: expected IPVS scheduler (rr, wrr, lc or sh), found string "random" (not an IPVS scheduler; the kernel\'s are rr, wrr, lc, sh, wlc, lblc, lblcr, dh, sed, nq, fo, ovf, mh, twos, of which kubesim models rr, wrr, lc, sh)',
    ])
  })

  test("negative timeouts: kube-proxy's 'must be greater than or equal to 0', per field", () => {
    expect(messages(ipvs("ipvs", "{tcpTimeout: -1s, udpTimeout: -5m}"))).toEqual([
      `7: cluster.ipvs.tcpTimeout: expected duration ≥ 0 (Go syntax, e.g. "900s", "15m"; 0 keeps the kernel's), found string "-1s" (must be greater than or equal to 0 (kube-proxy's IPVS timeouts; 0 keeps the kernel's))`,
      `7: cluster.ipvs.udpTimeout: expected duration ≥ 0 (Go syntax, e.g. "900s", "15m"; 0 keeps the kernel's), found string "-5m" (must be greater than or equal to 0 (kube-proxy's IPVS timeouts; 0 keeps the kernel's))`,
    ])
    expect(messages(ipvs("ipvs", "{tcpFinTimeout: 2 minutes}"))[0]).toMatch(/^7: cluster\.ipvs\.tcpFinTimeout: expected duration ≥ 0 .* found string "2 minutes" \(invalid duration/)
  })

  test("an unknown field under cluster.ipvs is named", () => {
    expect(messages(ipvs("ipvs", "{persistence: 3h}"))).toEqual(['7: cluster.ipvs: unknown field "persistence"'])
  })

  test("an IPVS option under another mode names both fields and the mode", () => {
    expect(messages(ipvs("nftables", "{scheduler: lc}"))).toEqual([
      "7: cluster.ipvs: an IPVS option under nftables mode: cluster.ipvs (scheduler) configures kube-proxy's ipvs mode, but cluster.proxyMode is nftables; set cluster.proxyMode: ipvs or remove cluster.ipvs",
    ])
    expect(messages(ipvs(null, "{scheduler: rr, udpTimeout: 10s}"))).toEqual([
      "6: cluster.ipvs: an IPVS option under iptables mode: cluster.ipvs (scheduler, udpTimeout) configures kube-proxy's ipvs mode, but cluster.proxyMode is iptables (cluster.proxyMode unset: the default); set cluster.proxyMode: ipvs or remove cluster.ipvs",
    ])
  })

  test("an unknown proxy mode lists the three modes", () => {
    expect(messages(`${base}cluster: {proxyMode: userspace}\n`)).toEqual(['5: cluster.proxyMode: expected "iptables" or "nftables" or "ipvs", found string "userspace"'])
  })
})
