import { formatCounts } from "../report/verdict-table"
import { twoStageFit, fitProblem, type TwoStageFit } from "../stats/two-stage-fit"
import { countOutcomes, type RequestOutcome } from "../traffic/request-outcome"
import { caseResult, type CaseResult } from "./case-result"
import { spnOf, type ConformanceRun } from "./conformance-run"
import { retriedNote } from "./spread-case"

/**
 * NodePort from an external client with several source IPs, entering at `entryNode`, in the kernel and in
 * kubesim:
 * - externalTrafficPolicy Cluster: every endpoint serves (at kubesim's shares) and every connection is
 *   masqueraded (KUBE-EXT → KUBE-MARK-MASQ), so the pod sees the address MASQUERADE picks
 *   (nf_nat_masquerade_ipv4 → inet_select_addr): the entry node's IP, as neither the LAN port nor the
 *   address-less pod veths offer another.
 * - Local: only the entry node's endpoints serve (KUBE-SVL) and the pod sees the client's own address; with
 *   none on the entry node, filter KUBE-EXTERNAL-SERVICES DROPs the SYNs ("has no local endpoints") and the
 *   client times out.
 */
export const nodePortCase = async (
  run: ConformanceRun,
  service: string,
  entryNode: string,
  requests: number,
): Promise<CaseResult> => {
  run.ready()
  const svc = run.state.services.find((s) => s.metadata.name === service)
  const nodePort = svc?.spec.ports[0]?.nodePort
  if (svc === undefined || nodePort === undefined) throw new Error(`nodePortCase: "${service}" is not a NodePort Service`)
  const policy = svc.spec.externalTrafficPolicy ?? "Cluster"
  const topo = run.state.topology
  const node = topo.nodes.find((n) => n.name === entryNode)!
  const client = topo.clients.find((c) => c.kind === "external")
  if (client === undefined || client.kind !== "external") throw new Error("nodePortCase: needs an external client")
  const slice = run.state.endpointSlices.find((s) => s.metadata.labels["kubernetes.io/service-name"] === service)!
  const endpointPods = slice.endpoints.map((e) => topo.pods.find((p) => p.ip === e.addresses[0])!)

  let pods: ReadonlyArray<string>
  let shares: ReadonlyArray<number>
  if (policy === "Cluster") {
    ;({ pods, shares } = run.serviceShares(entryNode, service))
  } else {
    pods = endpointPods.filter((p) => p.node === entryNode).map((p) => p.name)
    shares = pods.map(() => 1 / pods.length)
  }
  const expectedPeer = (source: string | null): string => (policy === "Local" ? (source ?? "?") : node.ip)

  const problems: Array<string> = []
  const [kernel, kubesim] = await run.onBoth(async (plane) => {
    const out = await plane.requests(client.name, { host: node.ip, port: nodePort }, client.ips, requests)
    if (pods.length === 0) {
      const { errors } = countOutcomes(out, pods)
      const timeouts = errors.get("TIMEOUT") ?? 0
      if (timeouts !== requests) problems.push(`${plane.label}: expected all ${requests} to time out (dropped), ${timeouts} did`)
      const text = [...errors].map(([c, n]) => `${c}×${n}`).join(" ") || "none failed"
      return { text, fit: undefined }
    }
    // Counts at kubesim's shares by the two-stage rule (stats/two-stage-fit.ts); source checks on every sample.
    let first = true
    let text = ""
    const check = (sample: ReadonlyArray<RequestOutcome>): ReadonlyArray<number> => {
      const { perPod, errors, other } = countOutcomes(sample, pods)
      for (const [code, n] of errors) problems.push(`${plane.label}: ${n} requests failed with ${code}`)
      if (other > 0) problems.push(`${plane.label}: ${other} requests served by pods kubesim does not route ${policy} traffic to`)
      const peers = new Map<string, number>()
      let wrongPeer = 0
      for (const o of sample) {
        if (!("pod" in o)) continue
        const seen = o.peer === o.source ? "client" : o.peer
        peers.set(seen, (peers.get(seen) ?? 0) + 1)
        if (o.peer !== expectedPeer(o.source)) wrongPeer++
      }
      if (wrongPeer > 0) problems.push(`${plane.label}: ${wrongPeer} requests reached the pod from an unexpected source address`)
      text = `${formatCounts(pods, perPod)} src ${[...peers].map(([p, n]) => `${p}×${n}`).join(",")}`
      return perPod
    }
    const fit = await twoStageFit(async () => {
      const sample = first ? out : await plane.requests(client.name, { host: node.ip, port: nodePort }, client.ips, requests)
      first = false
      return check(sample)
    }, shares)
    if (pods.length > 1 && !fit.fits) problems.push(fitProblem(plane.label, fit))
    return { text, fit: pods.length > 1 ? fit : undefined }
  })
  const fits = [["kernel", kernel.fit], ["kubesim", kubesim.fit]].filter((x): x is [string, TwoStageFit] => x[1] !== undefined)
  const deciding = fits.map(([, f]) => (f.retry ?? f.first).chi.pValue)
  return caseResult(
    {
      case: `NodePort ${policy} via ${entryNode}${pods.length === 0 ? ", no local endpoint" : ""} (${requests} req)`,
      kernel: kernel.text,
      kubesim: kubesim.text,
      pValue: deciding.length > 0 ? Math.min(...deciding) : null,
      ...retriedNote(fits),
    },
    problems,
  )
}
