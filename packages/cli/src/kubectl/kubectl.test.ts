import { api, net } from "@kubesim/core"
import { describe, expect, it } from "vitest"
import { nodeOfComponent } from "../execute/simulation-failure"
import { conntrackLine } from "./conntrack-list"
import { accessLogLine, nginxTimeLocal } from "./pod-logs"
import { parseFieldSelector, parseLabelSelector } from "./selectors"

describe("selectors", () => {
  const labels = { app: "web", tier: "front" }
  const m = (s: string, l: api.Labels | undefined = labels) => api.labelSelectorMatches(parseLabelSelector(s), l)

  it("parse as apimachinery's labels.Parse", () => {
    expect(m("app=web")).toBe(true)
    expect(m("app==web,tier=front")).toBe(true)
    expect(m("app!=web")).toBe(false)
    expect(m("app!=db")).toBe(true)
    expect(m("env!=prod")).toBe(true) // != also matches a missing key
    expect(m("app")).toBe(true)
    expect(m("!app")).toBe(false)
    expect(m("tier in (front, back)")).toBe(true)
    expect(m("tier notin (front)")).toBe(false)
    expect(m("app in (web),tier")).toBe(true)
    expect(() => parseLabelSelector("app in (web")).toThrow(/unable to parse requirement/)
    expect(parseFieldSelector("spec.nodeName=kind-worker,status.phase!=Running")).toEqual([
      { field: "spec.nodeName", equal: true, value: "kind-worker" },
      { field: "status.phase", equal: false, value: "Running" },
    ])
  })
})

describe("formats", () => {
  it("conntrack -L lines as conntrack-tools prints them", () => {
    const e = new net.ConntrackEntry(1, 6, net.parseIpv4("10.244.1.5"), net.parseIpv4("10.96.0.10"), 41900, 80, 0)
    e.replySrc = net.parseIpv4("10.244.2.2")
    e.tcpState = 7
    e.expires = 117.9e9
    e.status = net.IPS_SEEN_REPLY | net.IPS_ASSURED
    expect(conntrackLine(e, 0)).toBe("tcp      6 117 TIME_WAIT src=10.244.1.5 dst=10.96.0.10 sport=41900 dport=80 src=10.244.2.2 dst=10.244.1.5 sport=80 dport=41900 [ASSURED] mark=0 use=1")
    const u = new net.ConntrackEntry(2, 17, net.parseIpv4("10.244.1.5"), net.parseIpv4("10.96.0.10"), 5353, 53, 0)
    u.expires = 30e9
    expect(conntrackLine(u, 0)).toBe("udp      17 30 src=10.244.1.5 dst=10.96.0.10 sport=5353 dport=53 [UNREPLIED] src=10.96.0.10 dst=10.244.1.5 sport=53 dport=5353 mark=0 use=1")
  })

  it("nginx's combined log line", () => {
    expect(nginxTimeLocal(9_940_368_608)).toBe("01/Jan/2024:00:00:09 +0000")
    const r = { kind: "request", id: 1, t: 9e9, end: 9_940_368_608, client: "busybox", clientIp: "10.244.1.5", phase: null, service: "default/web-service", url: "http://web-service", dst: "10.96.1.1:80", node: "kind-worker", endpoint: "10.244.1.3:80", pod: "web-deploy-55894cfb4b-tqxkc", sourceIp: "10.244.1.5", outcome: "ok", cause: null, latency: 1, status: 200, connection: 1 } as const
    expect(accessLogLine(r)).toBe('10.244.1.5 - - [01/Jan/2024:00:00:09 +0000] "GET / HTTP/1.1" 200 27 "-" "Wget"')
  })

  it("an internal error names the component's node", () => {
    const nodes = ["kind-worker", "kind-worker2", "kind-control-plane"]
    expect(nodeOfComponent("kube-proxy-restore:kind-worker2", nodes)).toBe("kind-worker2")
    expect(nodeOfComponent("sync-runner:kind-worker", nodes)).toBe("kind-worker")
    expect(nodeOfComponent("kubelet/kind-worker", nodes)).toBe("kind-worker")
    expect(nodeOfComponent("api/watch", nodes)).toBeUndefined()
  })
})
