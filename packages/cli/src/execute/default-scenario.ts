import { basename, extname, resolve } from "node:path"
import { api, parseDuration } from "@kubesim/core"
import { manifestClientPod, manifestClients } from "@kubesim/scenarios"

/** The default length of a run of plain manifests (the issue's `--duration 60s` example). */
export const DEFAULT_MANIFEST_DURATION = "60s"

/**
 * When the busybox loops are applied: 10s in, after the seed's Deployment has had time to come up (its README
 * applies busybox then); at once for runs shorter than 20s.
 */
const clientsAt = (duration: string): string => (parseDuration(duration) >= parseDuration("20s") ? "10s" : "0s")

/** A scenario name from a file name: lower-case, runs of other characters turned into '-', trimmed. */
export const nameFromFile = (file: string): string => {
  const n = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
  return n === "" ? "manifests" : n
}

/**
 * The scenario `kubesim run a.yaml b.yaml` runs for plain manifests: the manifests at time 0 and the seed
 * walkthrough's busybox wget loop against each Service port (headless and ExternalName included; see
 * @kubesim/scenarios manifestClients), applied at 10s (see clientsAt; the walkthrough applies busybox once the
 * Deployment is up).
 */
export const defaultScenarioFor = (files: ReadonlyArray<string>, texts: ReadonlyArray<string>, duration = DEFAULT_MANIFEST_DURATION): unknown => {
  const objects = texts.flatMap((t, i) => api.decodeManifests(t, { file: files[i] ?? "<manifest>" }).objects.map((d) => d.object))
  const pods = new Set(objects.filter((o) => o.kind === "Pod").map((o) => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`))
  const services = objects.flatMap((o) => (o.kind === "Service" ? [o] : []))
  const clients = manifestClients(services, pods).map(manifestClientPod)
  return {
    apiVersion: "kubesim.dev/v1alpha1",
    kind: "Scenario",
    metadata: {
      name: nameFromFile(files[0] ?? "manifests"),
      description: `The manifests ${files.map((f) => basename(f)).join(", ")} with the seed walkthrough's busybox wget loop against each Service port.`,
    },
    manifests: files.map((f) => ({ file: resolve(f) })),
    ...(clients.length === 0 ? {} : { actions: [{ at: clientsAt(duration), phase: "traffic", apply: { inline: `${clients.join("\n---\n")}\n` } }] }),
    duration,
  }
}
