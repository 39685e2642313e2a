import { api, net } from "@kubesim/core"
import { describe, expect, it } from "vitest"
import { nodeOfComponent } from "../execute/simulation-failure"
import { conntrackLine } from "./conntrack-list"
import { pingArgs, pingReplyLine, pingStats } from "./busybox-ping"
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
    const i = new net.ConntrackEntry(3, 1, net.parseIpv4("10.244.1.5"), net.parseIpv4("10.244.2.7"), 12, net.ICMP_ECHO_KEY, 0)
    i.expires = 29.5e9
    i.status = net.IPS_SEEN_REPLY
    expect(conntrackLine(i, 0)).toBe("icmp     1 29 src=10.244.1.5 dst=10.244.2.7 type=8 code=0 id=12 src=10.244.2.7 dst=10.244.1.5 type=0 code=0 id=12 mark=0 use=1")
  })

  it("busybox ping's lines (networking/ping.c unpack_tail, print_stats_and_exit) and its arguments", () => {
    const r = (seq: number, rttMicros: number, dup = false) => ({ seq, from: net.parseIpv4("10.244.2.7"), ttl: 62, bytes: 64, rttMicros, dup })
    expect(pingReplyLine(r(0, 311))).toBe("64 bytes from 10.244.2.7: seq=0 ttl=62 time=0.311 ms\n")
    expect(pingReplyLine(r(3, 12_005, true))).toBe("64 bytes from 10.244.2.7: seq=3 ttl=62 time=12.005 ms (DUP!)\n")
    const replies = [r(0, 300), r(1, 500), r(1, 700, true)]
    expect(pingStats("web", { transmitted: 3, received: 2, duplicates: 1, replies, sendError: null })).toBe(
      "\n--- web ping statistics ---\n3 packets transmitted, 2 packets received, 1 duplicates, 33% packet loss\nround-trip min/avg/max = 0.300/0.500/0.700 ms\n",
    )
    expect(pingStats("10.96.0.1", { transmitted: 4, received: 0, duplicates: 0, replies: [], sendError: null })).toBe(
      "\n--- 10.96.0.1 ping statistics ---\n4 packets transmitted, 0 packets received, 100% packet loss\n",
    )
    expect(pingArgs(["-c", "3", "web"])).toEqual({ count: 3, timeoutSec: 10, host: "web" })
    expect(pingArgs(["-W2", "-c5", "10.0.0.1"])).toEqual({ count: 5, timeoutSec: 2, host: "10.0.0.1" })
    expect(() => pingArgs(["web"])).toThrow(/ping -c N/)
    expect(() => pingArgs(["-c", "0", "web"])).toThrow(/ping -c N/)
    expect(() => pingArgs(["-c", "1", "-f", "web"])).toThrow(/ping -c N/)
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
