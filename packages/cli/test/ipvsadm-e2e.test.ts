import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"

// `kubesim ipvsadm` on a run in kube-proxy's ipvs mode, end to end.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const BIN = join(ROOT, "packages/cli/bin/kubesim.mjs")
const TINY = join(ROOT, "packages/cli/test/fixtures/tiny.yaml")
const WORK = mkdtempSync(join(tmpdir(), "kubesim-ipvsadm-"))
afterAll(() => rmSync(WORK, { recursive: true, force: true }))

const kubesim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: WORK, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 180_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe("kubesim ipvsadm on an ipvs-mode run", () => {
  const tiny = ["-f", TINY, "--seed", "1", "--set", "cluster.proxyMode=ipvs"]

  it("-Ln lists kube-proxy's virtual servers; -Lnc's connections add up to the ActiveConn + InActConn of -Ln", () => {
    const lists = ["kind-worker", "kind-worker2"].map((n) => kubesim("ipvsadm", "-Ln", "--node", n, ...tiny))
    const conns = ["kind-worker", "kind-worker2"].map((n) => kubesim("ipvsadm", "-Lnc", "--node", n, ...tiny))
    for (const r of [...lists, ...conns]) expect(r.code, r.err).toBe(0)
    for (const r of lists) {
      expect(r.out.split("\n").slice(0, 3)).toEqual([
        "IP Virtual Server version 1.2.1 (size=4096)",
        "Prot LocalAddress:Port Scheduler Flags",
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
      ])
      expect(r.out).toMatch(/^TCP {2}10\.96\.0\.1:443 rr$/m)
      expect(r.out).toMatch(/^UDP {2}10\.96\.0\.10:53 rr$/m)
      expect(r.out).toMatch(/^TCP {2}10\.\d+\.\d+\.\d+:80 rr$/m)
    }
    // Per node: the connections -Lnc shows for each virtual service are what -Ln counts for its real servers.
    for (const [i, r] of lists.entries()) {
      const counted = new Map<string, number>()
      let vs = ""
      for (const line of r.out.split("\n")) {
        const s = /^(TCP|UDP) {2}(\S+) /.exec(line)
        if (s !== null) vs = `${s[1]} ${s[2]}`
        const d = /^ {2}-> \S+ +Masq +\d+ +(\d+) +(\d+) *$/.exec(line)
        if (d !== null) counted.set(vs, (counted.get(vs) ?? 0) + Number(d[1]) + Number(d[2]))
      }
      const listed = new Map<string, number>()
      for (const line of (conns[i] as { out: string }).out.split("\n").slice(2)) {
        const c = /^(TCP|UDP) \d+:\d\d +(\S+) +\S+ +(\S+) /.exec(line)
        if (c !== null && c[2] !== "NONE") listed.set(`${c[1]} ${c[3]}`, (listed.get(`${c[1]} ${c[3]}`) ?? 0) + 1)
      }
      for (const [k, n] of counted) expect(listed.get(k) ?? 0, k).toBe(n)
    }
    // busybox's wget loop went through IPVS on its node: its connections to the web Service are listed.
    expect(conns.map((r) => r.out).join("")).toMatch(/^TCP \d\d:\d\d +[A-Z_]+ +10\.244\.\d+\.\d+:\d+ +10\.\d+\.\d+\.\d+:80 +10\.244\.\d+\.\d+:80$/m)
  })

  it("cluster.ipvs reaches the node: the scheduler on every virtual server, the timeouts in --timeout", () => {
    const r = kubesim("ipvsadm", "-Ln", "--node", "kind-worker", ...tiny, "--set", "cluster.ipvs.scheduler=lc", "--at", "3s")
    expect(r.code, r.err).toBe(0)
    const services = r.out.split("\n").filter((l) => /^(TCP|UDP) /.test(l))
    expect(services.length).toBeGreaterThan(0)
    for (const l of services) expect(l).toMatch(/ lc( persistent \d+)?$/)
    const dns = kubesim("ipvsadm", "-Ln", "-u", "10.96.0.10:53", "--node", "kind-worker", ...tiny, "--set", "cluster.ipvs.scheduler=lc", "--at", "3s")
    expect(dns.code, dns.err).toBe(0)
    expect(dns.out.split("\n").slice(0, 3)).toEqual(["Prot LocalAddress:Port Scheduler Flags", "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn", "UDP  10.96.0.10:53 lc"])
    const t = kubesim("ipvsadm", "-L", "--timeout", "-n", "--node", "kind-worker", ...tiny, "--set", "cluster.ipvs.tcpTimeout=1h", "--set", "cluster.ipvs.udpTimeout=0s", "--at", "3s")
    expect(t.code, t.err).toBe(0)
    expect(t.out).toBe("Timeout (tcp tcpfin udp): 3600 120 300\n")
  })

  it("trace shows ip_vs_in's choice on the client's node: an IPVS event between filter INPUT and filter OUTPUT", () => {
    const r = kubesim("trace", "--client", "busybox", "--nth", "2", ...tiny)
    expect(r.code, r.err).toBe(0)
    const events = r.out.split("\n").flatMap((l) => {
      const m = /^\d+\.\d+s +(\S+) +(\S+) +/.exec(l)
      return m === null ? [] : [`${m[1]} ${m[2]}`]
    })
    const at = events.findIndex((e) => e.endsWith(" IPVS"))
    expect(at, r.out).toBeGreaterThan(0)
    expect(events.slice(at - 1, at + 2).map((e) => e.split(" ")[1])).toEqual(["INPUT", "IPVS", "OUTPUT"])
    expect(r.out).toMatch(/ IPVS +10\.244\.\d+\.\d+:\d+ -> 10\.\d+\.\d+\.\d+:80 tcp \[S\] {2}DNAT to 10\.244\.\d+\.\d+:80 {2}\(ip_vs_in: rr, TCP SYN_RECV\) {2}ct=NEW$/m)
    const j = JSON.parse(kubesim("trace", "--client", "busybox", "--nth", "2", "-o", "json", ...tiny).out) as { events: Array<{ event: string; ipvs: string | null }> }
    expect(j.events.filter((e) => e.event === "IPVS").map((e) => e.ipvs)).toContain("ip_vs_in: rr, TCP SYN_RECV")
  })
})
