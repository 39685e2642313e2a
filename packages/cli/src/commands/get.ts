import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { allNamespacesOption, atOption, namespaceOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

const resource = Args.text({ name: "resource" }).pipe(Args.withDescription("all, pods (po), services (svc), endpointslices, deployments (deploy), replicasets (rs), statefulsets (sts), daemonsets (ds), configmaps (cm), secrets, serviceaccounts (sa)"))
const output = Options.choice("output", ["wide", "yaml", "json"]).pipe(Options.withAlias("o"), Options.optional, Options.withDescription("wide, yaml or json (a kubectl List)"))

const getConfig = { resource, output, namespace: namespaceOption, allNamespaces: allNamespacesOption, at: atOption, ...targetOptions }
export type GetOptions = Command.Command.ParseConfig<typeof getConfig>

/**
 * `kubesim get all|pods|svc|endpointslices|deployments|replicasets [-o wide|yaml|json] [-n NS | -A] [--at T]`: what
 * `kubectl get` would print at simulated time T (default: the end of the run), of a scenario re-simulated to T or
 * of a run directory replayed (`--run DIR`).
 */
export const getCommand = Command.make("get", getConfig, (o) => lazy(() => import("../actions/get"), (m) => m.get(o))).pipe(
  Command.withDescription("kubectl get at a simulated time: all, pods, svc, endpointslices, deployments, replicasets, statefulsets, daemonsets, configmaps, secrets, serviceaccounts."),
)
