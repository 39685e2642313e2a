import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// Drives `kubesim` as a user does: `node packages/cli/bin/kubesim.mjs …` in a child process, exit codes and all.
// Every process start costs something, so one `kubesim run` (in beforeAll) serves every test that inspects a run
// directory, and each sweep is as small as its property needs (2 seeds × 2 variants of a 15 s scenario).
const ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const BIN = join(ROOT, "packages/cli/bin/kubesim.mjs")
const TINY = join(ROOT, "packages/cli/test/fixtures/tiny.yaml")
const BAD = join(ROOT, "packages/cli/test/fixtures/bad-duration.yaml")
const WORK = mkdtempSync(join(tmpdir(), "kubesim-cli-"))
afterAll(() => rmSync(WORK, { recursive: true, force: true }))

const kubesim = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: WORK, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

const RUN = join(WORK, "runs/tiny/default/seed-1")
let ran: ReturnType<typeof kubesim>
beforeAll(() => {
  ran = kubesim("run", TINY, "--seed", "1", "--out", "runs")
})

describe("kubesim run", () => {
  it("runs a scenario, writes the run directory with reports, prints the summary", () => {
    const r = ran
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/requests: \d+ issued, \d+ ok/)
    expect(r.out).toContain("run directory: runs/tiny/default/seed-1")
    for (const f of ["run.json", "records.jsonl", "summary.md", "report.md", "report.html"]) expect(existsSync(join(RUN, f)), f).toBe(true)
    const run = JSON.parse(readFileSync(join(RUN, "run.json"), "utf8")) as Record<string, unknown>
    expect(Object.keys(run)).toEqual(["kubesimVersion", "scenario", "variant", "seed", "traceHash", "events", "duration", "resolved"])
    expect(run["seed"]).toBe(1)
    expect(run["traceHash"]).toMatch(/^[0-9a-f]{16}$/)
    expect((run["resolved"] as { metadata: { name: string } }).metadata.name).toBe("tiny")
  })

  it("runs plain manifests under the default scenario (busybox's loop against each Service)", () => {
    const m = join(ROOT, "packages/scenarios/library/seed-walkthrough/manifests")
    const r = kubesim("run", join(m, "service1deployment.yml"), join(m, "service1.yml"), "--duration", "15s", "--out", "manifest-runs")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/default\/web-service( \[[^\]]+\])?: web-deploy-/)
  })
})

describe("bad input", () => {
  it("a usage error exits 2 with the usage", () => {
    const r = kubesim("run")
    expect(r.code).toBe(2)
    const u = kubesim("no-such-command")
    expect(u.code).toBe(2)
    expect(u.err + u.out).toMatch(/run.*sweep/)
  })

  it("an invalid scenario exits 1 naming file, line and field, without a stack trace", () => {
    const r = kubesim("run", BAD, "--out", "bad")
    expect(r.code).toBe(1)
    expect(r.err).toContain("bad-duration.yaml:5:1: duration:")
    expect(r.err).not.toMatch(/\n\s+at /)
    expect(kubesim("run", "no-such-scenario").code).toBe(1)
    expect(kubesim("sweep", TINY, "--seeds", "5..1").code).toBe(1)
    expect(kubesim("get", "pods", "-f", TINY, "--at", "thirty").code).toBe(1)
  })

  it("--help exits 0 and lists every command", () => {
    const top = kubesim("--help")
    expect(top.code).toBe(0)
    for (const c of ["run", "sweep", "report", "compare", "get", "exec", "iptables-save", "nft", "trace", "scenarios", "validate"]) expect(top.out, c).toContain(c)
    // A few commands' own help stand for the rest (each is a process start).
    for (const c of ["sweep", "trace"]) {
      const r = kubesim(c, "--help")
      expect(r.code, c).toBe(0)
      expect(r.out, c).toContain(c)
    }
  })
})

describe("inspection", () => {
  it("get -o json prints a kubectl List with Kubernetes field names", () => {
    const r = kubesim("get", "svc", "-o", "json", "--run", RUN)
    expect(r.code, r.err).toBe(0)
    const list = JSON.parse(r.out) as { kind: string; items: Array<{ metadata: { name: string }; spec: { clusterIP: string } }> }
    expect(list.kind).toBe("List")
    const web = list.items.find((i) => i.metadata.name === "web-service")
    expect(web?.spec.clusterIP).toMatch(/^10\.\d+\.\d+\.\d+$/)
    const pods = JSON.parse(kubesim("get", "pods", "-o", "json", "-f", TINY, "--at", "10s").out) as { items: Array<{ status: { podIP?: string } }> }
    expect(pods.items.length).toBe(4)
    expect(pods.items.every((p) => typeof p.status.podIP === "string")).toBe(true)
  })

  it("get all prints kubectl's tables; -A adds kube-system", () => {
    const r = kubesim("get", "all", "--run", RUN, "--at", "3s")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/)
    expect(r.out).toContain("service/web-service")
    expect(r.out).not.toContain("pod/busybox") // applied at 5s
    expect(kubesim("get", "pods", "-A", "--run", RUN).out).toMatch(/kube-system\s+coredns-/)
  })

  it("exec env prints NAME=value lines; nslookup answers like busybox and exits 1 on NXDOMAIN", () => {
    const env = kubesim("exec", "busybox", "--run", RUN, "--", "env")
    expect(env.code, env.err).toBe(0)
    expect(env.out).toMatch(/^WEB_SERVICE_SERVICE_HOST=10\.\d+\.\d+\.\d+$/m)
    expect(env.out.trim().split("\n").every((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))).toBe(true)
    const ok = kubesim("exec", "busybox", "--run", RUN, "--", "nslookup", "web-service")
    expect(ok.code).toBe(0)
    expect(ok.out).toContain("Name:\tweb-service.default.svc.cluster.local")
    const nx = kubesim("exec", "busybox", "--run", RUN, "--", "nslookup", "no-such-service")
    expect(nx.code).toBe(1)
    expect(nx.out).toContain("** server can't find no-such-service.default.svc.cluster.local: NXDOMAIN")
  })

  it("iptables-save prints the node's rules (save) or kube-proxy's payload (restore)", () => {
    const save = kubesim("iptables-save", "--node", "kind-worker", "--run", RUN)
    expect(save.code, save.err).toBe(0)
    expect(save.out).toMatch(/^\*nat$/m)
    expect(save.out).toMatch(/-A KUBE-SERVICES .*default\/web-service cluster IP/)
    const restore = kubesim("iptables-save", "--node", "kind-worker", "--format", "restore", "--run", RUN)
    expect(restore.code).toBe(0)
    expect(restore.out).toContain("COMMIT")
    expect(kubesim("iptables-save", "--node", "nope", "--run", RUN).code).toBe(1)
  })

  it("nft list ruleset prints a node's nftables as nft does (kube-proxy's table in nftables mode)", () => {
    const r = kubesim("nft", "list", "ruleset", "--node", "kind-worker", "-f", TINY, "--set", "cluster.proxyMode=nftables", "--at", "10s")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/^table ip kube-proxy \{$/m)
    expect(r.out).toContain("\t\ttype nat hook prerouting priority dstnat; policy accept;\n")
    expect(r.out).toMatch(/numgen random mod \d+ vmap \{ 0 : goto endpoint-[A-Z2-7]{8}-default\/web-service\//)
    expect(kubesim("nft", "list", "ruleset", "--node", "kind-worker", "--run", RUN).out).toBe("")
    expect(kubesim("nft", "list", "ruleset", "--node", "nope", "--run", RUN).code).toBe(1)
  })

  it("trace follows a request's packets through DNAT to the pod and back", () => {
    const r = kubesim("trace", "--client", "busybox", "--nth", "1", "--run", RUN)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/PREROUTING\s+nat ACCEPT, DNAT to 10\.244\.\d+\.\d+:80/)
    expect(r.out).toMatch(/TRACE: nat:KUBE-SERVICES:rule:\d+ .*-j KUBE-SVC-/)
    const j = JSON.parse(kubesim("trace", "--client", "busybox", "-o", "json", "--run", RUN).out) as { events: Array<{ event: string }> }
    expect(j.events.some((e) => e.event === "deliver")).toBe(true)
  })

  it("scenarios lists the built-in library; validate checks manifests", () => {
    const r = kubesim("scenarios")
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^seed-walkthrough\s+/m)
    expect(kubesim("validate", join(ROOT, "packages/scenarios/library/seed-walkthrough/manifests/service1.yml")).code).toBe(0)
  })

  it("report --format json has the scripting contract's fields", () => {
    const r = kubesim("report", RUN, "--format", "json")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('"service": "default/web-service"')
  })
})

describe("kubesim sweep", () => {
  const sweep = (out: string, workers: number) => kubesim("sweep", TINY, "--seeds", "1..2", "--workers", String(workers), "--out", out)
  const sweepJson = (out: string) => readFileSync(join(WORK, out, "tiny/sweep.json"), "utf8")

  it("writes the same sweep.json with 1 and 2 workers; shards split the jobs", () => {
    const a = sweep("s1", 1)
    expect(a.code, a.err).toBe(0)
    const b = sweep("s2", 2)
    expect(b.code, b.err).toBe(0)
    expect(sweepJson("s2")).toBe(sweepJson("s1"))
    const s = JSON.parse(sweepJson("s1")) as { runs: Array<{ variant: string; seed: number }> }
    expect(s.runs.map((x) => `${x.variant}/${x.seed}`)).toEqual(["affinity/1", "affinity/2", "default/1", "default/2"])
    const shard = kubesim("sweep", TINY, "--seeds", "1..2", "--workers", "1", "--shard", "1/2", "--out", "sh")
    expect(shard.code, shard.err).toBe(0)
    const part = JSON.parse(readFileSync(join(WORK, "sh/tiny/sweep-shard-1-of-2.json"), "utf8")) as { runs: Array<{ variant: string; seed: number }> }
    expect(part.runs.map((x) => `${x.variant}/${x.seed}`)).toEqual(["affinity/2", "default/2"])
  })

  it("resumes after being killed: finished runs are skipped, the result is the same", async () => {
    const child = spawn(process.execPath, [BIN, "sweep", TINY, "--seeds", "1..2", "--workers", "1", "--out", "k"], { cwd: WORK, stdio: "ignore" })
    const first = join(WORK, "k/tiny/default/seed-1/run.json")
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 90_000
      const poll = setInterval(() => {
        if (existsSync(first)) {
          clearInterval(poll)
          child.kill("SIGKILL")
          resolve()
        } else if (Date.now() > deadline) {
          clearInterval(poll)
          child.kill("SIGKILL")
          reject(new Error("no run finished in time"))
        }
      }, 20)
    })
    await new Promise((r) => child.once("exit", r))
    const r = sweep("k", 2)
    expect(r.code, r.err).toBe(0)
    expect(r.err).toMatch(/resuming: [1-3] of 4 runs already finished/)
    expect(sweepJson("k")).toBe(sweepJson("s1"))
    const left = readdirSync(join(WORK, "k/tiny/default")).filter((n) => n.startsWith(".") && !n.includes(".tmp-") && !n.includes(".stage-"))
    expect(left).toEqual([])
  })
})

describe("the bin's bundle", () => {
  const DIST = join(ROOT, "packages/cli/dist")
  const BUNDLE = join(DIST, "kubesim.mjs")
  const start = (...args: string[]) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: WORK, env: { ...process.env, NO_COLOR: "1" } })
    let out = ""
    child.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child.stderr.on("data", (d: Buffer) => (out += d.toString()))
    return { pid: child.pid, done: new Promise<{ code: number | null; out: string }>((r) => child.once("close", (code) => r({ code, out }))) }
  }

  it("is rebuilt when older than a source, and processes starting during the rebuild all run it whole", async () => {
    expect(existsSync(BUNDLE)).toBe(true)
    const old = new Date(Date.UTC(2000, 0, 1))
    utimesSync(BUNDLE, old, old)
    const starts = [start("--version"), start("scenarios")]
    const [version, scenarios] = await Promise.all(starts.map((s) => s.done))
    expect({ code: version?.code, out: version?.out.trim() }, version?.out).toEqual({ code: 0, out: "0.1.0" })
    expect(scenarios?.code, scenarios?.out).toBe(0)
    expect(scenarios?.out).toMatch(/^seed-walkthrough\s+/m)
    expect(statSync(BUNDLE).mtimeMs).toBeGreaterThan(old.getTime())
    // Each rebuild renamed its temporary files into place (none of these processes left one behind).
    const mine = starts.map((s) => `.tmp-${s.pid}-`)
    expect(readdirSync(DIST).filter((n) => mine.some((m) => n.startsWith(m)))).toEqual([])
  })
})
