import * as Command from "@effect/cli/Command"
import { compareCommand } from "./commands/compare"
import { conntrackCommand } from "./commands/conntrack"
import { describeCommand } from "./commands/describe"
import { logsCommand } from "./commands/logs"
import { observeCommand } from "./commands/observe"
import { execCommand } from "./commands/exec"
import { getCommand } from "./commands/get"
import { iptablesSaveCommand } from "./commands/iptables-save"
import { ipvsadmCommand } from "./commands/ipvsadm"
import { nftCommand } from "./commands/nft"
import { reportCommand } from "./commands/report"
import { runCommand, sweepCommand } from "./commands/run"
import { scenariosCommand } from "./commands/scenarios"
import { traceCommand } from "./commands/trace"
import { validateCommand } from "./commands/validate"

/** The `kubesim` command tree. */
export const kubesim = Command.make("kubesim").pipe(
  Command.withDescription("A deterministic discrete-event simulator of Kubernetes Service networking."),
  Command.withSubcommands([
    runCommand,
    sweepCommand,
    reportCommand,
    compareCommand,
    getCommand,
    describeCommand,
    logsCommand,
    execCommand,
    observeCommand,
    conntrackCommand,
    iptablesSaveCommand,
    nftCommand,
    ipvsadmCommand,
    traceCommand,
    scenariosCommand,
    validateCommand,
  ]),
)

export { KUBESIM_VERSION } from "./version"
