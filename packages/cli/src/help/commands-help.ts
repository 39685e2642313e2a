import { availableParallelism } from "node:os"
import type { CommandHelp, FlagHelp } from "./render-help"

// Each command's help, kubectl's way (render-help.ts). The flags listed here are the flags the parser accepts
// (commands/*.ts); test/help.test.ts checks the two lists agree.

const at: FlagHelp = { name: "at", default: "''", description: "Simulated time to look at (Go duration, e.g. 30s); default: the end of the run. Past the end is an error." }
const namespace: FlagHelp = { name: "namespace", short: "n", default: "'default'", description: "The namespace." }
/** What to look at: a run directory, or a scenario run again to --at. */
const target: FlagHelp[] = [
  { name: "run", default: "''", description: "A run directory: replay its run.json (the replay is checked against its trace hash)." },
  { name: "scenario", short: "f", default: "[]", description: "Instead of --run: a scenario file, a built-in scenario name, or manifest files (repeat -f)." },
  { name: "seed", default: "the scenario's first", description: "With -f: the run seed." },
  { name: "variant", default: "'default'", description: "With -f: the scenario's variant." },
  { name: "set", default: "[]", description: "With -f: override a scenario field, key=value (dotted path, e.g. cluster.nodes=5); repeatable." },
  { name: "duration", default: "the scenario's", description: "With -f: the simulated duration (Go syntax, e.g. 60s, 2m)." },
]
const set: FlagHelp = { name: "set", default: "[]", description: "Override a scenario field, key=value (dotted path, e.g. cluster.nodes=5); repeatable." }
const duration: FlagHelp = { name: "duration", default: "the scenario's, 60s for manifests", description: "The simulated duration (Go syntax, e.g. 60s, 2m)." }
const out: FlagHelp = { name: "out", default: "'runs'", description: "Where run directories go: OUT/<scenario>/<variant>/seed-<seed>." }
const seeds: FlagHelp = { name: "seeds", default: "''", description: "Seeds: 1..20, 1,5,9." }
const format: FlagHelp = { name: "format", default: "'md'", description: "md, json or html." }
const output: FlagHelp = { name: "output", short: "o", default: "stdout", description: "Write to this file instead." }

export const RUN: CommandHelp = {
  name: "run",
  summary: "Run a scenario (or plain manifests) and write its run directory with reports.",
  long:
    "Runs on a worker thread, one seed after another (the scenario's first seed, or 1, unless --seed/--seeds), writing each\nrun directory whole or not at all, and prints a summary of each. Plain manifests run under the default scenario:\nthe seed walkthrough's busybox wget loop against each Service. Progress goes to stderr. Ctrl-C stops at once\n(exit 130; the running seed leaves nothing behind).",
  usage: "kubesim run (SCENARIO.yaml | NAME | MANIFEST.yaml...) [options]",
  examples: [
    ["Run the seed walkthrough, seed 1", "kubesim run seed-walkthrough"],
    ["Run your own manifests for 2 minutes", "kubesim run deployment.yaml service.yaml --duration 2m"],
    ["Run seeds 1 to 5 of a variant with 5 nodes", "kubesim run pod-churn --seeds 1..5 --variant fast-churn --set cluster.nodes=5"],
  ],
  flags: [duration, out, { name: "seed", default: "the scenario's first, else 1", description: "The run seed." }, seeds, set, { name: "variant", default: "'default'", description: "Run the scenario's variant NAME." }],
}

export const SWEEP: CommandHelp = {
  name: "sweep",
  summary: "Run variants × seeds on worker threads and write sweep.json (resumable, shardable).",
  long: "Skips runs whose run directory is already whole, so an interrupted sweep resumes. --shard i/N runs the jobs whose\nindex is i mod N (0-based, e.g. a Kubernetes Indexed Job's $JOB_COMPLETION_INDEX). Ctrl-C once: no new runs;\ntwice: running ones are abandoned.",
  usage: "kubesim sweep (SCENARIO.yaml | NAME) [options]",
  examples: [
    ["Every variant of pod-churn over seeds 1 to 20", "kubesim sweep pod-churn --seeds 1..20"],
    ["Shard 0 of 4, two variants", "kubesim sweep pod-churn --seeds 1..100 --variant default --variant fast-churn --shard 0/4"],
  ],
  flags: [
    duration,
    out,
    seeds,
    set,
    { name: "shard", default: "''", description: "i/N: run the jobs whose index % N == i (0-based)." },
    { name: "variant", default: "default and every variant of the scenario", description: "A variant to run; repeatable." },
    { name: "workers", default: String(availableParallelism()), description: "Worker threads (default: the CPU count)." },
  ],
}

export const REPORT: CommandHelp = {
  name: "report",
  summary: "Report on run directories: one run, a sweep, or variants compared.",
  usage: "kubesim report RUN_DIR... [options]",
  examples: [
    ["A run's report as Markdown", "kubesim report runs/seed-walkthrough/default/seed-1"],
    ["A sweep's report as HTML", "kubesim report runs/pod-churn --format html -o pod-churn.html"],
  ],
  flags: [format, output],
}

export const COMPARE: CommandHelp = {
  name: "compare",
  summary: "Compare two sets of runs, paired by seed: each metric's mean difference with its interval.",
  usage: "kubesim compare DIR_A DIR_B [options]",
  examples: [["Two variants of a sweep", "kubesim compare runs/pod-churn/default runs/pod-churn/fast-churn"]],
  flags: [format, output],
}

export const GET: CommandHelp = {
  name: "get",
  summary: "Display one or many resources at a simulated time, as kubectl get prints them.",
  long: "Resources: all, pods (po), services (svc), endpoints (ep), endpointslices, deployments (deploy), replicasets (rs),\nstatefulsets (sts), daemonsets (ds), configmaps (cm), secrets, serviceaccounts (sa), nodes (no), events (ev).",
  usage: "kubesim get RESOURCE[,RESOURCE...] [NAME...] [options]",
  examples: [
    ["Pods 30 s into a run", "kubesim get pods --run runs/seed-walkthrough/default/seed-1 --at 30s"],
    ["One Service as YAML", "kubesim get svc web-service -o yaml -f seed-walkthrough"],
    ["Running pods of app=web, by name", "kubesim get pods -l app=web --field-selector status.phase=Running -o name -f seed-walkthrough"],
    ["Watch the endpoints change during a rolling update", "kubesim get ep web -w -f rolling-update"],
  ],
  flags: [
    { name: "all-namespaces", short: "A", default: "false", description: "List across all namespaces." },
    { name: "field-selector", default: "''", description: "Filter on fields: metadata.name, metadata.namespace, status.phase, spec.nodeName (=, ==, !=; comma-separated)." },
    namespace,
    { name: "output", short: "o", default: "''", description: "wide, yaml, json (a kubectl List) or name." },
    { name: "selector", short: "l", default: "''", description: "Label selector: key=value, key!=value, key, !key, key in (a,b), key notin (a,b); comma-separated." },
    { name: "watch", short: "w", default: "false", description: "Print the listing at --at (with -w: default 0s), then a row per change until the end of the run." },
    at,
    ...target,
  ],
}

export const DESCRIBE: CommandHelp = {
  name: "describe",
  summary: "Show details of a pod, service or node at a simulated time, as kubectl describe prints them.",
  usage: "kubesim describe (pod | svc | node) NAME [options]",
  examples: [
    ["The Service at the end of the run", "kubesim describe svc web-service --run runs/seed-walkthrough/default/seed-1"],
    ["A node 90 s into node-failure", "kubesim describe node kind-worker -f node-failure --at 90s"],
  ],
  flags: [at, namespace, ...target],
}

export const LOGS: CommandHelp = {
  name: "logs",
  summary: "Print a pod's access log (nginx's combined format) from the run's records.",
  usage: "kubesim logs POD [options]",
  examples: [["The last 5 requests a web pod served", "kubesim logs web-deploy-55894cfb4b-7xk2p --tail 5 --run runs/seed-walkthrough/default/seed-1"]],
  flags: [at, namespace, { name: "tail", default: "-1", description: "Only the last N lines (-1: all)." }, ...target],
}

export const EXEC: CommandHelp = {
  name: "exec",
  summary: "Run a command in a pod at a simulated time, as busybox would answer it.",
  long: "Commands: env, hostname, nslookup NAME, getent hosts NAME, wget -qO- URL, ping -c N [-W SEC] HOST,\ncat /etc/hosts, cat /etc/resolv.conf.",
  usage: "kubesim exec POD [options] -- COMMAND [args...]",
  examples: [
    ["The seed's environment variables", "kubesim exec busybox --run runs/seed-walkthrough/default/seed-1 -- env"],
    ["Resolve a Service", "kubesim exec busybox -f seed-walkthrough --at 30s -- nslookup web-service"],
    ["Fetch through the Service", "kubesim exec busybox -f seed-walkthrough --at 30s -- wget -qO- http://web-service"],
    ["Ping a pod (a ClusterIP never answers: exit 1)", "kubesim exec busybox -f seed-walkthrough --at 30s -- ping -c 3 10.244.3.2"],
  ],
  flags: [at, namespace, ...target],
}

export const OBSERVE: CommandHelp = {
  name: "observe",
  summary: "Print the run's flows from its records, as hubble observe does.",
  long: "Requests become flows from client to backend (FORWARDED, or DROPPED/ERROR with the cause); dropped packets are\nDROPPED with their reason. Pod and service names are prefixes; without a namespace, default.",
  usage: "kubesim observe [options]",
  examples: [
    ["Every drop and its reason", "kubesim observe --verdict DROPPED --run runs/node-failure/default/seed-1"],
    ["The flows to one Service as JSON", "kubesim observe --to-service default/web-service -o json --run runs/seed-walkthrough/default/seed-1"],
  ],
  flags: [
    { name: "drop-reason-desc", default: "''", description: "Only drops with this reason (e.g. no-route, conntrack-invalid, the drop record's reason)." },
    { name: "from-pod", default: "''", description: "Only flows from this pod (prefix; namespace/name)." },
    { name: "last", default: "0", description: "Only the last N flows (0: all)." },
    { name: "output", short: "o", default: "'compact'", description: "compact or json (one flow a line)." },
    { name: "pod", default: "''", description: "Only flows from or to this pod (prefix; namespace/name)." },
    { name: "service", default: "''", description: "Only flows to this service (prefix; namespace/name)." },
    { name: "to-pod", default: "''", description: "Only flows to this pod (prefix; namespace/name)." },
    { name: "to-service", default: "''", description: "The same as --service." },
    { name: "verdict", default: "''", description: "FORWARDED, DROPPED or ERROR." },
    ...target,
  ],
}

export const CONNTRACK: CommandHelp = {
  name: "conntrack",
  summary: "List a node's connection tracking table at a simulated time, as conntrack -L prints it.",
  usage: "kubesim conntrack -L --node NODE [options]",
  examples: [["The NAT'd connections on a worker at 30 s", "kubesim conntrack -L --node kind-worker -f seed-walkthrough --at 30s"]],
  flags: [{ name: "dump", short: "L", default: "false", description: "List the table (the only operation)." }, { name: "node", default: "''", description: "The node (e.g. kind-worker)." }, at, ...target],
}

export const IPTABLES_SAVE: CommandHelp = {
  name: "iptables-save",
  summary: "Print a node's iptables rules at a simulated time, as iptables-save does (or kube-proxy's restore payload).",
  usage: "kubesim iptables-save --node NODE [options]",
  examples: [["The rules on a worker at the end of the run", "kubesim iptables-save --node kind-worker --run runs/seed-walkthrough/default/seed-1"]],
  flags: [
    { name: "format", default: "'save'", description: "save: as the node's iptables-save prints it (with counters); restore: kube-proxy's iptables-restore payload." },
    { name: "node", default: "''", description: "The node (e.g. kind-worker)." },
    at,
    ...target,
  ],
}

export const NFT: CommandHelp = {
  name: "nft",
  summary: "Print a node's nftables ruleset at a simulated time, as nft list ruleset does (kube-proxy's table in nftables mode).",
  usage: "kubesim nft list ruleset --node NODE [options]",
  examples: [["kube-proxy's nftables on a worker, in nftables mode, at 30 s", "kubesim nft list ruleset --node kind-worker -f proxy-modes --variant nftables --at 30s"]],
  flags: [{ name: "node", default: "''", description: "The node (e.g. kind-worker)." }, at, ...target],
}

export const IPVSADM: CommandHelp = {
  name: "ipvsadm",
  summary: "List a node's IPVS table at a simulated time, as ipvsadm -Ln prints it (kube-proxy's virtual servers in ipvs mode).",
  long: "ipvsadm 1.31's numeric listings: the virtual and real servers (-Ln, with --persistent-conn or --thresholds\ncolumns; -t/-u one virtual service), IPVS's connection table (-Lnc) and its timeouts (-L --timeout). Only nodes whose kube-proxy runs in\nipvs mode have a table. --stats and --rate are refused: kubesim keeps no IPVS packet or byte counters.",
  usage: "kubesim ipvsadm -Ln --node NODE [options]",
  examples: [
    ["The virtual servers on a worker at 30 s", "kubesim ipvsadm -Ln --node kind-worker -f seed-walkthrough --set cluster.proxyMode=ipvs --at 30s"],
    ["Its IPVS connections", "kubesim ipvsadm -Lnc --node kind-worker --run runs/seed-walkthrough/default/seed-1"],
    ["The kube-dns virtual server only", "kubesim ipvsadm -Ln -u 10.96.0.10:53 --node kind-worker --run runs/seed-walkthrough/default/seed-1"],
  ],
  flags: [
    { name: "connection", short: "c", default: "false", description: "List IPVS's connection table (ipvsadm -Lnc)." },
    { name: "list", short: "L", default: "false", description: "List the table (the only operation)." },
    { name: "node", default: "''", description: "The node (e.g. kind-worker)." },
    { name: "numeric", short: "n", default: "false", description: "Numeric addresses and ports (required: name lookups are not modelled)." },
    { name: "persistent-conn", default: "false", description: "Columns Weight, PersistConn, ActiveConn, InActConn; with -c, the persistence-engine header." },
    { name: "rate", default: "false", description: "Refused: kubesim keeps no IPVS rate counters." },
    { name: "stats", default: "false", description: "Refused: kubesim keeps no IPVS packet or byte counters." },
    { name: "tcp-service", short: "t", default: "''", description: "List only this TCP virtual service (ADDRESS:PORT, e.g. 10.96.0.1:443)." },
    { name: "thresholds", default: "false", description: "Columns Uthreshold, Lthreshold (kube-proxy sets none: 0), ActiveConn, InActConn." },
    { name: "timeout", default: "false", description: "The TCP, TCP FIN and UDP timeouts in seconds (ipvsadm -L --timeout)." },
    { name: "udp-service", short: "u", default: "''", description: "List only this UDP virtual service (ADDRESS:PORT, e.g. 10.96.0.10:53)." },
    at,
    ...target,
  ],
}

export const TRACE: CommandHelp = {
  name: "trace",
  summary: "Follow one request's packets hop by hop through hooks, rules, NAT and conntrack.",
  usage: "kubesim trace (REQUEST_ID | --client NAME [--nth N]) [options]",
  examples: [
    ["The first request of busybox", "kubesim trace --client busybox --run runs/seed-walkthrough/default/seed-1"],
    ["Request 42 as JSON", "kubesim trace 42 -o json --run runs/seed-walkthrough/default/seed-1"],
  ],
  flags: [
    { name: "client", default: "''", description: "Instead of an id: the client (a pod or an external host)..." },
    { name: "nth", default: "1", description: "...and which of its requests (1-based)." },
    { name: "output", short: "o", default: "'text'", description: "text or json." },
    ...target,
  ],
}

export const SCENARIOS: CommandHelp = {
  name: "scenarios",
  summary: "List the built-in scenarios.",
  usage: "kubesim scenarios",
  examples: [["Then run one", "kubesim run seed-walkthrough"]],
  flags: [],
}

export const VALIDATE: CommandHelp = {
  name: "validate",
  summary: "Check scenarios and manifests without running them.",
  long: "A scenario (a file or a built-in name) is checked as run would, with every variant; manifests are decoded as\nkubectl apply --validate=strict would. Unknown fields and Services that select no pod are warned about.",
  usage: "kubesim validate (SCENARIO.yaml | NAME | MANIFEST.yaml)...",
  examples: [
    ["A built-in scenario and every variant of it", "kubesim validate pod-churn"],
    ["Your manifests", "kubesim validate deployment.yaml service.yaml"],
  ],
  flags: [],
}

/** kubectl's groups (`kubectl --help`): the main job first, then inspection. */
export const GROUPS: ReadonlyArray<readonly [string, ReadonlyArray<CommandHelp>]> = [
  ["Simulate", [RUN, SWEEP, REPORT, COMPARE]],
  ["Inspect a run (kubectl, busybox, hubble, iptables, nft and ipvsadm at a simulated time)", [GET, DESCRIBE, LOGS, EXEC, OBSERVE, CONNTRACK, IPTABLES_SAVE, NFT, IPVSADM, TRACE]],
  ["Scenarios", [SCENARIOS, VALIDATE]],
]
