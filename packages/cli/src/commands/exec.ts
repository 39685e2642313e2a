import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import { atOption, namespaceOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

const pod = Args.text({ name: "pod" })
const command = Args.text({ name: "command" }).pipe(Args.atLeast(1))

const execConfig = { pod, command, namespace: namespaceOption, at: atOption, ...targetOptions }
export type ExecOptions = Command.Command.ParseConfig<typeof execConfig>

/**
 * `kubesim exec <pod> [-n NS] [--at T] -- env | nslookup NAME | hostname | cat /etc/resolv.conf`: the command's
 * output in the pod at simulated time T. `nslookup` prints what busybox's does (the cluster's CoreDNS answers) and
 * exits 1 when no query found the name (NXDOMAIN) — the scripting contract; busybox ≥ 1.30 itself exits 0 unless
 * no server replied (networking/nslookup.c nslookup_main), which a script cannot test.
 */
export const execCommand = Command.make("exec", execConfig, (o) => lazy(() => import("../actions/exec"), (m) => m.exec(o))).pipe(
  Command.withDescription("Run env, nslookup, hostname or cat /etc/resolv.conf in a pod at a simulated time."),
)
