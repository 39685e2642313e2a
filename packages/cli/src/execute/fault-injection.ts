import { type cluster, parseDuration } from "@kubesim/core"

/**
 * A test hook for the internal-error path (exit 70): `KUBESIM_INJECT_FAULT=<node>@<time>` (e.g.
 * `kind-worker@5s`) schedules, at that simulated time, an event of kind `kubesim/injected-fault:<node>` whose
 * handler throws — a component failing on that node, as a defect in kube-proxy or the kubelet would. Unset (always,
 * outside tests), the run is untouched: no kind defined, no event scheduled, the same trace hash.
 */
export const FAULT_ENV = "KUBESIM_INJECT_FAULT"

export const injectFault = (c: cluster.Cluster, spec: string | undefined = process.env[FAULT_ENV]): void => {
  if (spec === undefined || spec === "") return
  const at = spec.lastIndexOf("@")
  if (at < 1) throw new Error(`${FAULT_ENV}=${spec}: expected <node>@<time>, e.g. kind-worker@5s`)
  const node = spec.slice(0, at)
  const kind = c.sim.defineKind<null>(`kubesim/injected-fault:${node}`, () => {
    throw new Error(`fault injected by ${FAULT_ENV}`)
  })
  c.sim.at(parseDuration(spec.slice(at + 1)), kind, null)
}
