import { Args, Command } from "@effect/cli"
import { dns } from "@kubesim/core"
import { Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import { atNanos, atOption, attempt, namespaceOption, resolveTarget, targetOptions } from "./shared"

const pod = Args.text({ name: "pod" })
const command = Args.text({ name: "command" }).pipe(Args.atLeast(1), Args.withDescription("after --: env | nslookup NAME | hostname | cat /etc/resolv.conf"))

/**
 * `kubesim exec <pod> [-n NS] [--at T] -- env | nslookup NAME | hostname | cat /etc/resolv.conf`: the command's
 * output in the pod at simulated time T. `nslookup` prints what busybox's does (the cluster's CoreDNS answers) and
 * exits 1 when no query found the name (NXDOMAIN) — the scripting contract; busybox ≥ 1.30 itself exits 0 unless
 * no server replied (networking/nslookup.c nslookup_main), which a script cannot test.
 */
export const execCommand = Command.make("exec", { pod, command, namespace: namespaceOption, at: atOption, ...targetOptions }, (o) =>
  Effect.gen(function* () {
    const target = yield* resolveTarget(o)
    const at = yield* atNanos(o.at)
    const result = yield* attempt(() => {
      const { cluster } = clusterAt(target, at)
      const [cmd, ...args] = o.command
      if (cmd === "nslookup" && args.length === 1) {
        const p = cluster.store.get("Pod", o.namespace, o.pod)
        if (p === undefined) throw new UserInputError({ message: `Error from server (NotFound): pods "${o.pod}" not found` })
        const conf = p.spec.nodeName === undefined ? undefined : cluster.nodes.get(p.spec.nodeName)?.kubelet.resolvConf(o.namespace, o.pod)
        if (conf === undefined) throw new UserInputError({ message: `error: unable to upgrade connection: container not found ("${p.spec.containers[0]?.name ?? ""}")` })
        let found = false
        const r = dns.nslookupSync(args[0] as string, conf, (q) => {
          const a = cluster.coredns.answer(q)
          if (a !== undefined && a.rcode === "NOERROR" && a.answer.length > 0) found = true
          return a
        })
        return { text: r.text, code: found ? 0 : 1 }
      }
      try {
        return { text: cluster.exec(o.pod, o.command, o.namespace), code: 0 }
      } catch (e) {
        throw new UserInputError({ message: e instanceof Error ? e.message : String(e) })
      }
    })
    yield* Effect.sync(() => process.stdout.write(result.text))
    if (result.code !== 0) yield* Effect.sync(() => (process.exitCode = result.code))
  }),
).pipe(Command.withDescription("Run env, nslookup, hostname or cat /etc/resolv.conf in a pod at a simulated time."))
