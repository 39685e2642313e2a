import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { atOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

// ipvsadm's own option names and short forms (ipvsadm.c options[]), so `-Ln`, `-Lnc` and `-L -n --stats` read as on a node.
const ipvsadmConfig = {
  list: Options.boolean("list").pipe(Options.withAlias("L")),
  numeric: Options.boolean("numeric").pipe(Options.withAlias("n")),
  connection: Options.boolean("connection").pipe(Options.withAlias("c")),
  timeout: Options.boolean("timeout"),
  stats: Options.boolean("stats"),
  rate: Options.boolean("rate"),
  thresholds: Options.boolean("thresholds"),
  persistentConn: Options.boolean("persistent-conn"),
  tcpService: Options.text("tcp-service").pipe(Options.withAlias("t"), Options.optional),
  udpService: Options.text("udp-service").pipe(Options.withAlias("u"), Options.optional),
  node: Options.text("node"),
  at: atOption,
  ...targetOptions,
}
export type IpvsadmOptions = Command.Command.ParseConfig<typeof ipvsadmConfig>

/** `kubesim ipvsadm -Ln --node NODE [--at T]`: the node's IPVS table in kube-proxy's ipvs mode. Help: help/commands-help.ts. */
export const ipvsadmCommand = Command.make("ipvsadm", ipvsadmConfig, (o) => lazy(() => import("../actions/ipvsadm"), (m) => m.ipvsadm(o)))
