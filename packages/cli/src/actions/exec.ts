import { dns } from "@kubesim/core"
import { Effect } from "effect"
import { UserInputError } from "../errors"
import { clusterAt } from "../inspect/inspect-source"
import type { ExecOptions } from "../commands/exec"
import { attempt } from "./attempt"
import { atNanos, resolveTarget } from "./target"

/** `kubesim exec` (see ../commands/exec.ts); `nslookup` exits 1 when nothing resolved. */
export const exec = (o: ExecOptions) =>
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
        if (conf === undefined) throw new UserInputError({ message: `unable to upgrade connection: container not found ("${p.spec.containers[0]?.name ?? ""}")` })
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
  })
