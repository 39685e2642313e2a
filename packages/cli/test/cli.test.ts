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
const ORPHAN = join(ROOT, "packages/cli/test/fixtures/orphan-service.yaml")
const WORK = mkdtempSync(join(tmpdir(), "kubesim-cli-"))
afterAll(() => rmSync(WORK, { recursive: true, force: true }))

const kubesimEnv = (env: Record<string, string>, ...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: WORK, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
const kubesim = (...args: string[]) => kubesimEnv({}, ...args)

/** Many short commands at once, two at a time (the machine's cores): each is mostly process start-up. */
const kubesimMany = async (cases: ReadonlyArray<ReadonlyArray<string>>): Promise<Array<{ code: number | null; out: string; err: string }>> => {
  const results: Array<{ code: number | null; out: string; err: string }> = new Array(cases.length)
  let next = 0
  const lane = async () => {
    while (next < cases.length) {
      const i = next++
      const child = spawn(process.execPath, [BIN, ...(cases[i] as string[])], { cwd: WORK, env: { ...process.env, NO_COLOR: "1" } })
      let out = ""
      let err = ""
      child.stdout.on("data", (d: Buffer) => (out += d.toString()))
      child.stderr.on("data", (d: Buffer) => (err += d.toString()))
      const code = await new Promise<number | null>((r) => child.once("close", (c) => r(c)))
      results[i] = { code, out, err }
    }
  }
  await Promise.all([lane(), lane()])
  return results
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

  it("runs plain manifests under the default scenario (busybox's loop against each Service); warns about unknown fields and Services that select nothing", () => {
    const m = join(ROOT, "packages/scenarios/library/seed-walkthrough/manifests")
    const r = kubesim("run", join(m, "service1deployment.yml"), join(m, "service1.yml"), ORPHAN, "--duration", "15s", "--out", "manifest-runs")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/default\/web-service( \[[^\]]+\])?: web-deploy-/)
    expect(r.err).toMatch(/orphan-service\.yaml:7:3: Warning: unknown field "spec\.selectr"/)
    expect(r.err).toContain("Warning: Service default/orphan selects no pod: no Pod or pod template in namespace default has the labels app=nothing")
    expect(r.err).not.toContain("web-service selects no pod")
  })

  it("stops at once on Ctrl-C: exit 130, no run directory and no temporary left", async () => {
    const child = spawn(process.execPath, [BIN, "run", TINY, "--duration", "1000h", "--out", "int"], { cwd: WORK, env: { ...process.env, NO_COLOR: "1", KUBESIM_PROGRESS: "0" } })
    let err = ""
    child.stderr.on("data", (d: Buffer) => (err += d.toString()))
    // Let the run get going (the worker thread started and simulating), then interrupt it.
    await new Promise((r) => setTimeout(r, 4000))
    const t0 = Date.now()
    child.kill("SIGINT")
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)))
    expect(code, err).toBe(130)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(err).toContain("interrupted")
    const left = existsSync(join(WORK, "int/tiny/default")) ? readdirSync(join(WORK, "int/tiny/default")) : []
    expect(left).toEqual([])
  })

  it("a failure inside the simulation is an internal error: exit 70 with component, node, time and the last records", () => {
    const r = kubesimEnv({ KUBESIM_INJECT_FAULT: "kind-worker@7s" }, "run", TINY, "--out", "fault")
    expect(r.code, r.err).toBe(70)
    expect(r.err).toContain("internal error: the simulation failed")
    expect(r.err).toContain("component: kubesim/injected-fault:kind-worker")
    expect(r.err).toMatch(/node: +kind-worker\n/)
    expect(r.err).toMatch(/time: +7s\n/)
    expect(r.err).toMatch(/last 10 of \d+ records:\n {4}\{"kind":/)
    expect(r.err).not.toMatch(/^error: /m)
    expect(existsSync(join(WORK, "fault/tiny/default/seed-1"))).toBe(false)
    const get = kubesimEnv({ KUBESIM_INJECT_FAULT: "kind-worker2@2s" }, "get", "pods", "-f", TINY)
    expect(get.code).toBe(70)
    expect(get.err).toMatch(/node: +kind-worker2\n/)
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

  it("trace in IPVS mode shows where IPVS takes the packet to a real server and gives the reply the virtual address", () => {
    const r = kubesim("trace", "--client", "busybox", "--nth", "1", "-f", "seed-walkthrough", "--set", "cluster.proxyMode=ipvs")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/IPVS\s+10\.244\.\d+\.\d+:\d+ -> (10\.\d+\.\d+\.\d+):80 tcp \[S\]\s+DNAT to 10\.244\.\d+\.\d+:80/)
    expect(r.out).toMatch(/IPVS\s+(10\.\d+\.\d+\.\d+):80 -> 10\.244\.\d+\.\d+:\d+ tcp \[S\.\]\s+from virtual server \1:80/)
    expect(r.out).toMatch(/TRACE: filter:KUBE-IPVS-FILTER:rule:\d+ .*--match-set KUBE-CLUSTER-IP dst,dst -j RETURN/)
  })

  it("scenarios lists the built-in library; validate checks manifests", () => {
    const r = kubesim("scenarios")
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^seed-walkthrough\s+/m)
    expect(kubesim("validate", join(ROOT, "packages/scenarios/library/seed-walkthrough/manifests/service1.yml")).code).toBe(0)
  })

  it("validate checks scenarios (files and built-in names, every variant) and manifests, and warns about Services that select nothing", () => {
    const r = kubesim("validate", "seed-walkthrough", TINY)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain("seed-walkthrough: scenario seed-walkthrough valid")
    expect(r.out).toMatch(/tiny\.yaml: scenario tiny valid \(\d+ object\(s\); variants: default, affinity\)/)
    const bad = kubesim("validate", BAD)
    expect(bad.code).toBe(1)
    expect(bad.err).toContain("bad-duration.yaml:5:1: duration:")
    const orphan = kubesim("validate", ORPHAN)
    expect(orphan.code, orphan.err).toBe(0)
    expect(orphan.err).toContain('unknown field "spec.selectr"')
    expect(orphan.err).toContain("Service default/orphan selects no pod")
    expect(kubesim("validate", "no-such-thing").code).toBe(1)
  })

  it("report --format json has the scripting contract's fields", () => {
    const r = kubesim("report", RUN, "--format", "json")
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('"service": "default/web-service"')
  })
})

describe("help and error paths of every command", () => {
  const COMMANDS = ["run", "sweep", "report", "compare", "get", "describe", "logs", "exec", "observe", "conntrack", "iptables-save", "ipvsadm", "trace", "scenarios", "validate"]

  it("each command's --help is kubectl's layout: what, examples, options with defaults, usage", async () => {
    const all = await kubesimMany(COMMANDS.map((c) => [c, "--help"]))
    for (const [i, c] of COMMANDS.entries()) {
      const r = all[i] as { code: number | null; out: string }
      expect(r.code, c).toBe(0)
      expect(r.out, c).toMatch(new RegExp(`\nUsage:\n {2}kubesim ${c}\\b`))
      expect(r.out, c).not.toMatch(/user-defined piece of text|--wizard|\$ run/)
      expect(r.out.split("\n").length, c).toBeLessThan(70)
    }
    const top = kubesim()
    expect(top.code).toBe(0)
    for (const c of COMMANDS) expect(top.out, c).toMatch(new RegExp(`^ {2}${c} +\\S`, "m"))
  })

  it("usage errors say what is wrong, kubectl's way, and exit 2", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["run"], /^error: Missing argument <scenario \| manifest>\nSee 'kubesim run --help' for usage\.$/],
      [["report", join(WORK, "no-such-dir")], /^error: .*no-such-dir.*\nSee 'kubesim report --help' for usage\.$/s],
      [["compare", WORK], /^error: Missing argument <dir-b>\nSee 'kubesim compare --help'/],
      [["get", "pods", "-o", "xml", "--run", RUN], /^error: Expected one of the following cases: wide, yaml, json, name\nSee 'kubesim get --help'/],
      [["describe", "pod"], /^error: Missing argument <name>\nSee 'kubesim describe --help'/],
      [["logs"], /^error: Missing argument <pod>\nSee 'kubesim logs --help'/],
      [["exec", "busybox"], /^error: Missing argument <command>/],
      [["observe", "--verdict", "MAYBE", "--run", RUN], /^error: Expected one of the following cases: FORWARDED, DROPPED, ERROR/],
      [["conntrack", "-L"], /^error: Expected to find option: '--node'/],
      [["iptables-save"], /^error: Expected to find option: '--node'/],
      [["ipvsadm", "-Ln"], /^error: Expected to find option: '--node'/],
      [["trace", "x"], /^error: 'x' is not a integer/],
      [["validate"], /^error: Missing argument <file \| name>/],
      [["sweep"], /^error: Missing argument/],
      [["scenarios", "extra"], /^error: Received unknown argument: 'extra'/],
      [["no-such-command"], /^error: Invalid subcommand for kubesim - use one of 'run', 'sweep'.*\nSee 'kubesim --help' for usage\.$/s],
    ]
    const results = await kubesimMany(cases.map(([args]) => args))
    for (const [i, [args, want]] of cases.entries()) {
      const r = results[i] as { code: number | null; err: string }
      expect(r.code, args.join(" ")).toBe(2)
      expect(r.err.trim(), args.join(" ")).toMatch(want)
    }
  })

  it("input errors exit 1 with one error: prefix and no stack trace", async () => {
    const cases: Array<[string[], string]> = [
      [["run", TINY, "--duration", "-5s"], 'error: --duration: invalid duration "-5s": negative durations are not allowed'],
      [["sweep", TINY, "--workers", "0"], "error: --workers must be at least 1"],
      [["get", "foo", "--run", RUN], 'error: the server doesn\'t have a resource type "foo"'],
      [["get", "pods", "nope", "--run", RUN], 'Error from server (NotFound): pods "nope" not found'],
      [["get", "pods", "--at", "100s", "--run", RUN], "error: --at 1m40s is past the end of the run (15s)"],
      [["get", "pods", "-l", "app in (web", "--run", RUN], "error: unable to parse requirement"],
      [["get", "svc", "--field-selector", "spec.type=ClusterIP", "--run", RUN], "field label not supported: spec.type"],
      [["describe", "deploy", "web-deploy", "--run", RUN], 'error: kubesim describes pods, services and nodes; not "deploy"'],
      [["describe", "pod", "nope", "--run", RUN], 'Error from server (NotFound): pods "nope" not found'],
      [["logs", "nope", "--run", RUN], 'Error from server (NotFound): pods "nope" not found'],
      [["exec", "busybox", "--run", RUN, "--", "ls"], 'error: kubesim exec: cannot run ["ls"] (supported: env, hostname, nslookup NAME, getent hosts NAME, wget -qO- URL'],
      [["observe", "--last", "-1", "--run", RUN], "error: --last counts flows"],
      [["conntrack", "--node", "kind-worker", "--run", RUN], "error: conntrack: kubesim lists the table only: give -L"],
      [["conntrack", "-L", "--node", "nope", "--run", RUN], 'error: no node "nope" (nodes: kind-worker, kind-worker2)'],
      [["ipvsadm", "-Ln", "--node", "kind-worker", "--run", RUN], "error: ipvsadm: node kind-worker's kube-proxy runs in iptables mode, so the node has no IPVS table; see its Service rules with kubesim iptables-save --node kind-worker"],
      [["ipvsadm", "-Ln", "--node", "nope", "--run", RUN], 'error: no node named "nope" (nodes: kind-worker, kind-worker2)'],
      [["ipvsadm", "-L", "--node", "kind-worker", "--run", RUN], "error: ipvsadm: kubesim prints addresses and ports numerically only"],
      [["ipvsadm", "-Ln", "--rate", "--node", "kind-worker", "--run", RUN], "error: ipvsadm: --rate: kubesim's IPVS table keeps no packet or byte counters"],
      [["trace", "0", "--run", RUN], "error: no request 0 in this run: its"],
      [["report", join(ROOT, "packages/cli/test/fixtures")], "error: no run directory (with run.json) found in"],
      [["validate", "no-such-thing"], "error: no-such-thing: no such file, and no built-in scenario of that name"],
    ]
    const results = await kubesimMany(cases.map(([args]) => args))
    for (const [i, [args, want]] of cases.entries()) {
      const r = results[i] as { code: number | null; err: string }
      expect(r.code, `${args.join(" ")}: ${r.err}`).toBe(1)
      expect(r.err, args.join(" ")).toContain(want)
      expect(r.err, args.join(" ")).not.toMatch(/error: error:|\n\s+at /)
    }
  })
})

describe("kubectl, busybox, hubble and conntrack at a simulated time", () => {
  it("get nodes, endpoints and events; NAME, -l, --field-selector and -o name", () => {
    const nodes = kubesim("get", "nodes", "--run", RUN)
    expect(nodes.code, nodes.err).toBe(0)
    expect(nodes.out).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION\nkind-worker +Ready +<none> +15s +/)
    const ep = kubesim("get", "ep", "web-service", "--run", RUN)
    expect(ep.out).toMatch(/^NAME +ENDPOINTS +AGE\nweb-service +10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80,10\.244\.\d+\.\d+:80 +15s\n$/)
    const ev = kubesim("get", "events", "--run", RUN)
    expect(ev.out).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE\n/)
    expect(ev.out).toMatch(/Normal +Scheduled +pod\/busybox +Successfully assigned default\/busybox to kind-worker/)
    expect(ev.out).toMatch(/Normal +ScalingReplicaSet +replicaset\/web-deploy-\w+ +Scaled up replica set web-deploy-\w+ from 0 to 3/)
    const names = kubesim("get", "pods", "-l", "app=web", "-o", "name", "--run", RUN)
    expect(names.out.trim().split("\n")).toHaveLength(3)
    expect(names.out).toMatch(/^pod\/web-deploy-\w+-\w+$/m)
    expect(kubesim("get", "pods", "-l", "app!=web", "-o", "name", "--run", RUN).out).toBe("pod/busybox\n")
    const onNode = kubesim("get", "pods", "--field-selector", "spec.nodeName=kind-worker2,status.phase=Running", "-o", "name", "--run", RUN)
    expect(onNode.code, onNode.err).toBe(0)
    const all = kubesim("get", "pods", "-o", "wide", "--run", RUN).out
    const expected = all.split("\n").slice(1).filter((l) => / kind-worker2 /.test(l)).map((l) => `pod/${l.split(/ +/)[0]}`)
    expect(onNode.out.trim().split("\n")).toEqual(expected)
    const two = kubesim("get", "svc,ep", "--run", RUN)
    expect(two.out).toMatch(/^NAME +TYPE +CLUSTER-IP[^\n]*\nservice\/kubernetes /)
    expect(two.out).toMatch(/\n\nNAME +ENDPOINTS +AGE\nendpoints\/web-service +10\.244\./)
    const one = JSON.parse(kubesim("get", "svc", "web-service", "-o", "json", "--run", RUN).out) as { kind: string }
    expect(one.kind).toBe("Service")
  })

  it("get -w prints the listing, then a row per change over simulated time", () => {
    const r = kubesim("get", "ep", "web-service", "-w", "--run", RUN)
    expect(r.code, r.err).toBe(0)
    const lines = r.out.trim().split("\n")
    expect(lines[0]).toMatch(/^NAME +ENDPOINTS +AGE$/)
    expect(lines[1]).toMatch(/^web-service +<none> +0s$/)
    expect(lines.at(-1)).toMatch(/^web-service +(10\.244\.\d+\.\d+:80,){2}10\.244\.\d+\.\d+:80 +\ds$/)
    expect(lines.length).toBeGreaterThanOrEqual(3)
  })

  it("describe svc and pod print kubectl describe's fields and the object's events", () => {
    const svc = kubesim("describe", "svc", "web-service", "--run", RUN)
    expect(svc.code, svc.err).toBe(0)
    expect(svc.out).toMatch(/^Name: +web-service\nNamespace: +default\n/)
    expect(svc.out).toMatch(/\nSelector: +app=web\nType: +ClusterIP\n/)
    expect(svc.out).toMatch(/\nEndpoints: +(10\.244\.\d+\.\d+:80,){2}10\.244\.\d+\.\d+:80\n/)
    const pod = kubesim("describe", "pod", "busybox", "--run", RUN)
    expect(pod.out).toMatch(/\nNode: +kind-worker2\/172\.18\.0\.\d+\n/)
    expect(pod.out).toMatch(/\nEvents:\n {2}Type +Reason +Age +From +Message\n/)
    const node = kubesim("describe", "node", "kind-worker", "--run", RUN).out
    expect(node).toMatch(/\nNon-terminated Pods: +\(\d+ in total\)\n/)
    // kubectl aligns each block with a tabwriter: `cpu:` pads to `pods:` (describe.go describeNode, LEVEL_1 "%s:\t%s")
    expect(node).toContain("\nCapacity:\n  cpu:   8\n  pods:  110\nAllocatable:\n  cpu:   8\n  pods:  110\n")
  })

  it("logs: a web pod's nginx access log in the combined format; busybox's wget output", () => {
    const bb = kubesim("logs", "busybox", "--run", RUN)
    expect(bb.code, bb.err).toBe(0)
    const pages = bb.out.trim().split("\n")
    expect(pages.length).toBeGreaterThan(0)
    expect(pages.every((l) => /^web-deploy-\w+-\w+$/.test(l))).toBe(true)
    const pod = pages[0] as string
    const log = kubesim("logs", pod, "--tail", "1", "--run", RUN)
    expect(log.out).toMatch(/^10\.244\.\d+\.\d+ - - \[01\/Jan\/2024:00:00:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "Wget"\n$/)
  })

  it("observe prints hubble-style flows, filtered, compact or json", () => {
    const c = kubesim("observe", "--to-pod", "web-deploy", "--run", RUN)
    expect(c.code, c.err).toBe(0)
    expect(c.out).toMatch(/^Jan {2}1 00:00:\d\d\.\d{3}: default\/busybox <- default\/web-deploy-\w+-\w+:80 http-response FORWARDED \(HTTP\/1\.1 200 \d+ms \(GET http:\/\/web-service\)\)$/m)
    const j = kubesim("observe", "--last", "1", "-o", "json", "--run", RUN)
    const flow = JSON.parse(j.out) as { flow: { verdict: string; source: { pod_name: string }; destination_service: { name: string } } }
    expect(flow.flow.verdict).toBe("FORWARDED")
    expect(flow.flow.source.pod_name).toBe("busybox")
    expect(flow.flow.destination_service.name).toBe("web-service")
    expect(kubesim("observe", "--verdict", "DROPPED", "--pod", "busybox", "--run", RUN).out).toBe("")
  })

  it("conntrack -L lists the node's entries as conntrack-tools prints them", () => {
    // busybox runs on kind-worker2 (10.244.2.0/24): the scheduler's LeastAllocated prefers its lighter CPU load.
    const r = kubesim("conntrack", "-L", "--node", "kind-worker2", "--at", "12s", "--run", RUN)
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/^tcp {6}6 \d+ (TIME_WAIT|ESTABLISHED) src=10\.244\.2\.\d+ dst=10\.\d+\.\d+\.\d+ sport=\d+ dport=80 src=10\.244\.\d+\.\d+ dst=10\.244\.2\.\d+ sport=80 dport=\d+ \[ASSURED\] mark=0 use=1$/m)
    expect(r.err).toMatch(/^conntrack v1\.4\.7 \(conntrack-tools\): \d+ flow entries have been shown\.$/m)
  })

  it("exec runs wget -qO- over the data plane, getent hosts, cat /etc/hosts", () => {
    const w = kubesim("exec", "busybox", "--run", RUN, "--", "wget", "-qO-", "http://web-service")
    expect(w.code, w.err).toBe(0)
    expect(w.out).toMatch(/^web-deploy-\w+-\w+\n$/)
    const bad = kubesim("exec", "busybox", "--run", RUN, "--", "wget", "-q", "-O", "-", "http://no-such-service")
    expect(bad.code).toBe(1)
    expect(bad.err).toContain("wget: bad address 'no-such-service'")
    const g = kubesim("exec", "busybox", "--run", RUN, "--", "getent", "hosts", "web-service")
    expect(g.out).toMatch(/^10\.\d+\.\d+\.\d+ +web-service\.default\.svc\.cluster\.local\n$/)
    expect(kubesim("exec", "busybox", "--run", RUN, "--", "getent", "hosts", "nope").code).toBe(2)
    const hosts = kubesim("exec", "busybox", "--run", RUN, "--", "cat", "/etc/hosts")
    expect(hosts.out).toMatch(/^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/)
    expect(hosts.out).toMatch(/\n10\.244\.\d+\.\d+\tbusybox\n$/)
  })

  it("exec ping: a pod IP answers every echo (busybox's format, exit 0); a ClusterIP answers none (exit 1)", () => {
    const pods = JSON.parse(kubesim("get", "pods", "-o", "json", "--run", RUN).out) as { items: Array<{ metadata: { name: string }; status: { podIP?: string } }> }
    const web = pods.items.find((p) => p.metadata.name.startsWith("web-"))?.status.podIP as string
    const ok = kubesim("exec", "busybox", "--run", RUN, "--", "ping", "-c", "2", web)
    expect(ok.code, ok.err).toBe(0)
    const w = web.replace(/\./g, "\\.")
    expect(ok.out).toMatch(new RegExp(
      `^PING ${w} \\(${w}\\): 56 data bytes\n` +
      `64 bytes from ${w}: seq=0 ttl=6[234] time=\\d+\\.\\d{3} ms\n` +
      `64 bytes from ${w}: seq=1 ttl=6[234] time=\\d+\\.\\d{3} ms\n` +
      `\n--- ${w} ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\n` +
      `round-trip min/avg/max = \\d+\\.\\d{3}/\\d+\\.\\d{3}/\\d+\\.\\d{3} ms\n$`,
    ))
    const svc = kubesim("exec", "busybox", "--run", RUN, "--", "ping", "-c", "2", "-W", "1", "web-service")
    expect(svc.code).toBe(1)
    expect(svc.out).toMatch(/^PING web-service \(10\.\d+\.\d+\.\d+\): 56 data bytes\n\n--- web-service ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n$/)
    const bad = kubesim("exec", "busybox", "--run", RUN, "--", "ping", "-c", "1", "no-such-service")
    expect(bad.code).toBe(1)
    expect(bad.err).toBe("ping: bad address 'no-such-service'\n")
    expect(kubesim("exec", "busybox", "--run", RUN, "--", "ping", "web-service").err).toContain("ping runs as ping -c N [-W SEC] HOST")
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
