import { basename, extname, resolve } from "node:path"
import { api, parseDuration } from "@kubesim/core"

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

/** `http://web-service` for port 80 (wget's default), `http://web-service:8080` otherwise. */
const serviceUrl = (name: string, port: number): string => (port === 80 ? `http://${name}` : `http://${name}:${port}`)

/**
 * The scenario `kubesim run a.yaml b.yaml` runs for plain manifests: the manifests at time 0 and, for each Service
 * with a ClusterIP (not ExternalName, not headless) and a TCP port, the seed walkthrough's busybox pod looping
 * `wget -q -O - http://<service>; sleep 1` against its first port, applied at 10s (see clientsAt; the walkthrough applies busybox
 * once the Deployment is up). With one Service the pod is `busybox`, as in the walkthrough; with several,
 * `busybox-<service>`. Pods the manifests already name are left alone.
 */
export const defaultScenarioFor = (files: ReadonlyArray<string>, texts: ReadonlyArray<string>, duration = DEFAULT_MANIFEST_DURATION): unknown => {
  const objects = texts.flatMap((t, i) => api.decodeManifests(t, { file: files[i] ?? "<manifest>" }).objects.map((d) => d.object))
  const pods = new Set(objects.filter((o) => o.kind === "Pod").map((o) => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`))
  const services = objects.flatMap((o) => (o.kind === "Service" ? [o] : []))
  const targets = services.filter((s) => s.spec.type !== "ExternalName" && s.spec.clusterIP !== "None" && (s.spec.ports ?? []).some((p) => (p.protocol ?? "TCP") === "TCP"))
  const clients: string[] = []
  for (const s of targets) {
    const ns = s.metadata.namespace ?? "default"
    const podName = targets.length === 1 ? "busybox" : `busybox-${s.metadata.name}`.slice(0, 63).replace(/-+$/, "")
    if (pods.has(`${ns}/${podName}`)) continue
    const port = (s.spec.ports ?? []).find((p) => (p.protocol ?? "TCP") === "TCP")?.port ?? 80
    const loop = `while true; do wget -q -O - ${serviceUrl(s.metadata.name, port)}; sleep 1; done`
    clients.push(
      [
        "apiVersion: v1",
        "kind: Pod",
        "metadata:",
        `  name: ${podName}`,
        `  namespace: ${ns}`,
        "  labels:",
        `    run: ${podName}`,
        "spec:",
        "  restartPolicy: Never",
        "  containers:",
        "    - name: busybox",
        "      image: busybox",
        `      command: ["sh", "-c", ${JSON.stringify(loop)}]`,
      ].join("\n"),
    )
  }
  return {
    apiVersion: "kubesim.dev/v1alpha1",
    kind: "Scenario",
    metadata: {
      name: nameFromFile(files[0] ?? "manifests"),
      description: `The manifests ${files.map((f) => basename(f)).join(", ")} with the seed walkthrough's busybox wget loop against each Service.`,
    },
    manifests: files.map((f) => ({ file: resolve(f) })),
    ...(clients.length === 0 ? {} : { actions: [{ at: clientsAt(duration), phase: "traffic", apply: { inline: `${clients.join("\n---\n")}\n` } }] }),
    duration,
  }
}
