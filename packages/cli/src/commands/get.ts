import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { allNamespacesOption, atOption, namespaceOption, targetOptions } from "./shared"
import { lazy } from "./lazy"

const resource = Args.text({ name: "resource" }).pipe(Args.withDescription("all, pods (po), services (svc), endpoints (ep), endpointslices, deployments (deploy), replicasets (rs), statefulsets (sts), daemonsets (ds), configmaps (cm), secrets, serviceaccounts (sa), nodes (no), events (ev)"))
const names = Args.text({ name: "name" }).pipe(Args.repeated)
const output = Options.choice("output", ["wide", "yaml", "json", "name"]).pipe(Options.withAlias("o"), Options.optional)
const selector = Options.text("selector").pipe(Options.withAlias("l"), Options.optional)
const fieldSelector = Options.text("field-selector").pipe(Options.optional)
const watch = Options.boolean("watch").pipe(Options.withAlias("w"))

const getConfig = { resource, names, output, selector, fieldSelector, watch, namespace: namespaceOption, allNamespaces: allNamespacesOption, at: atOption, ...targetOptions }
export type GetOptions = Command.Command.ParseConfig<typeof getConfig>

/**
 * `kubesim get RESOURCE [NAME…] [-o wide|yaml|json|name] [-l SEL] [--field-selector SEL] [-w] [-n NS | -A] [--at T]`:
 * what `kubectl get` would print at simulated time T (default: the end of the run), of a scenario re-simulated to T
 * or of a run directory replayed (`--run DIR`). Help: help/commands-help.ts.
 */
export const getCommand = Command.make("get", getConfig, (o) => lazy(() => import("../actions/get"), (m) => m.get(o)))
