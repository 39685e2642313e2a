import { type cluster, dns } from "@kubesim/core"
import { Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import { etcHosts, getentHosts, wgetFromPod, wgetUrl } from "../kubectl/busybox-commands"
import type { ExecOptions } from "../commands/exec"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

const SUPPORTED = "env, hostname, nslookup NAME, getent hosts NAME, wget -qO- URL, ping -c N HOST, cat /etc/hosts, cat /etc/resolv.conf"

/** The pod's resolv.conf (the kubelet's), or kubectl's error when it has no running container. */
const podConf = (c: cluster.Cluster, namespace: string, pod: string): dns.ResolvConf => {
  const p = c.store.get("Pod", namespace, pod)
  if (p === undefined) throw new UserInputError({ message: `Error from server (NotFound): pods "${pod}" not found` })
  const conf = p.spec.nodeName === undefined ? undefined : c.nodes.get(p.spec.nodeName)?.kubelet.resolvConf(namespace, pod)
  if (conf === undefined) throw new UserInputError({ message: `unable to upgrade connection: container not found ("${p.spec.containers[0]?.name ?? ""}")` })
  return conf
}

/** `kubesim exec` (see ../commands/exec.ts): exit codes as the command's (nslookup and getent: 1 and 2 when not found). */
export const exec = (o: ExecOptions) =>
  Effect.gen(function* () {
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const result = yield* attempt((): { text: string; err?: string; code: number } => {
      const { cluster } = clusterAt(target, at)
      const [cmd, ...args] = o.command
      if (cmd === "nslookup" && args.length === 1) {
        let found = false
        const r = dns.nslookupSync(args[0] as string, podConf(cluster, o.namespace, o.pod), (q) => {
          const a = cluster.coredns.answer(q)
          if (a !== undefined && a.rcode === "NOERROR" && a.answer.length > 0) found = true
          return a
        })
        return { text: r.text, code: found ? 0 : 1 }
      }
      if (cmd === "getent" && args[0] === "hosts" && args.length === 2) return getentHosts(cluster, podConf(cluster, o.namespace, o.pod), args[1] as string)
      if (cmd === "cat" && args.length === 1 && args[0] === "/etc/hosts") {
        podConf(cluster, o.namespace, o.pod)
        const p = cluster.store.get("Pod", o.namespace, o.pod)
        return { text: etcHosts(p?.status.podIP ?? "", p?.spec.hostname ?? o.pod, p?.spec.subdomain, o.namespace), code: 0 }
      }
      if (cmd === "wget") {
        const url = wgetUrl(args)
        if (url === undefined) throw new UserInputError({ message: `kubesim exec: wget runs as wget -qO- URL (or -q -O - URL); got ${JSON.stringify(o.command.join(" "))}` })
        return wgetFromPod(cluster, o.namespace, o.pod, url, podConf(cluster, o.namespace, o.pod))
      }
      if (cmd === "ping") {
        podConf(cluster, o.namespace, o.pod)
        return {
          text: "",
          err: "ping: kubesim's data plane carries TCP, UDP and ICMP errors but no ICMP echo, so ping cannot run (and a ClusterIP does not answer ping in a real cluster either: kube-proxy DNATs only the Service's TCP/UDP/SCTP ports). Try wget -qO- or nslookup.\n",
          code: 1,
        }
      }
      try {
        return { text: cluster.exec(o.pod, o.command, o.namespace), code: 0 }
      } catch (e) {
        const m = e instanceof Error ? e.message : String(e)
        throw new UserInputError({ message: m.startsWith("kubesim exec: cannot run") ? `kubesim exec: cannot run ${JSON.stringify(o.command)} (supported: ${SUPPORTED})` : m.replace(/^error: /, "") })
      }
    })
    yield* Effect.sync(() => {
      process.stdout.write(result.text)
      if (result.err !== undefined) process.stderr.write(result.err)
    })
    if (result.code !== 0) yield* Effect.sync(() => (process.exitCode = result.code))
  })
