import { readFileSync } from "node:fs"
import { describe, expect, test } from "vitest"
import { Simulation, seconds } from "../../sim/index"
import { type EndpointSlice, type KubeObject, type Pod, decodeManifests, defaultEndpointSlice, defaultReplicaSet, defaultService } from "../api/index"
import { ApiStore } from "../store/index"
import { podColumns } from "./columns"
import { getAll, getTable, selectObjects } from "./get"
import { humanDuration } from "./human-duration"
import { toJsonOutput, toYamlOutput } from "./output"
import { renderTable } from "./tabwriter"

const SEED = "/work/shared/seed/manifests"

const must = <T extends KubeObject>(r: { ok: boolean; object?: T; message?: string }): T => {
  if (!r.ok || r.object === undefined) throw new Error(r.message)
  return r.object
}

/** The walkthrough's cluster: the `kubernetes` Service at 0 s, the Deployment (and what its controllers make) at 23 s, web-service at 31 s. */
const walkthrough = () => {
  const sim = new Simulation(1)
  const store = new ApiStore(sim)
  store.addAdmission((o) => {
    if (o.kind !== "Service" || o.spec.type === "ExternalName" || o.spec.clusterIP !== undefined) return o
    const ip = o.metadata.name === "kubernetes" ? "10.96.0.1" : "10.108.4.193"
    return { ...o, spec: { ...o.spec, clusterIP: ip, clusterIPs: [ip] } }
  })
  must(store.create(defaultService({ apiVersion: "v1", kind: "Service", metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } }, spec: { ports: [{ name: "https", port: 443, targetPort: 6443 }] } }, "default")))
  sim.run({ until: seconds(23) })
  const deploy = decodeManifests(readFileSync(`${SEED}/service1deployment.yml`, "utf8")).objects[0]!.object
  const d = must(store.apply(deploy))
  if (d.kind !== "Deployment") throw new Error("not a deployment")
  const rs = must(
    store.create(
      defaultReplicaSet(
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          metadata: { name: "web-deploy-5d9f7ffff8", labels: { app: "web", "pod-template-hash": "5d9f7ffff8" } },
          spec: { replicas: 3, selector: { matchLabels: { app: "web", "pod-template-hash": "5d9f7ffff8" } }, template: { metadata: { labels: { app: "web", "pod-template-hash": "5d9f7ffff8" } }, spec: { containers: [{ name: "nginx", image: "nginx:latest" }] } } },
        },
        "default",
      ),
    ),
  )
  must(store.update({ ...rs, status: { replicas: 3, readyReplicas: 3, availableReplicas: 3, fullyLabeledReplicas: 3 } }))
  must(store.update({ ...d, status: { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 } }))
  const ips = ["10.244.1.2", "10.244.2.2", "10.244.1.3"]
  ;["hz82f", "r2q7x", "tkjx4"].forEach((suffix, i) => {
    const [p] = decodeManifests(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-deploy-5d9f7ffff8-${suffix}\n  labels: {app: web, pod-template-hash: 5d9f7ffff8}\nspec:\n  nodeName: node-${(i % 2) + 1}\n  containers: [{name: nginx, image: "nginx:latest"}]\n`).objects
    const created = must(store.create(p!.object as Pod)) as Pod
    must(
      store.update({
        ...created,
        status: {
          phase: "Running",
          podIP: ips[i]!,
          hostIP: `192.168.49.${(i % 2) + 2}`,
          conditions: [{ type: "Ready", status: "True" }],
          containerStatuses: [{ name: "nginx", ready: true, restartCount: 0, image: "nginx:latest", started: true, state: { running: { startedAt: "2024-01-01T00:00:25Z" } } }],
        },
      }),
    )
  })
  sim.run({ until: seconds(31) })
  must(store.apply(decodeManifests(readFileSync(`${SEED}/service1.yml`, "utf8")).objects[0]!.object))
  sim.run({ until: seconds(46) })
  return { sim, store }
}

describe("kubectl get", () => {
  test("get all prints the walkthrough's sections and columns", () => {
    const { store } = walkthrough()
    expect(getAll(store)).toBe(`NAME                              READY   STATUS    RESTARTS   AGE
pod/web-deploy-5d9f7ffff8-hz82f   1/1     Running   0          23s
pod/web-deploy-5d9f7ffff8-r2q7x   1/1     Running   0          23s
pod/web-deploy-5d9f7ffff8-tkjx4   1/1     Running   0          23s

NAME                  TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE
service/kubernetes    ClusterIP   10.96.0.1      <none>        443/TCP   46s
service/web-service   ClusterIP   10.108.4.193   <none>        80/TCP    15s

NAME                         READY   UP-TO-DATE   AVAILABLE   AGE
deployment.apps/web-deploy   3/3     3            3           23s

NAME                                    DESIRED   CURRENT   READY   AGE
replicaset.apps/web-deploy-5d9f7ffff8   3         3         3       23s
`)
  })

  test("get pods -o wide, and a terminating pod", () => {
    const { sim, store } = walkthrough()
    store.delete("Pod", "default", "web-deploy-5d9f7ffff8-tkjx4")
    sim.run({ until: seconds(23 + 34 * 60) })
    expect(getTable(store, "Pod", { wide: true })).toBe(`NAME                          READY   STATUS        RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES
web-deploy-5d9f7ffff8-hz82f   1/1     Running       0          34m   10.244.1.2   node-1   <none>           <none>
web-deploy-5d9f7ffff8-r2q7x   1/1     Running       0          34m   10.244.2.2   node-2   <none>           <none>
web-deploy-5d9f7ffff8-tkjx4   1/1     Terminating   0          34m   10.244.1.3   node-1   <none>           <none>
`)
  })

  test("NodePort and LoadBalancer services: PORT(S) with node ports, EXTERNAL-IP pending or from ingress", () => {
    const { store } = walkthrough()
    const np = decodeManifests(readFileSync(`${SEED}/service_nodeport.yml`, "utf8")).objects[0]!.object
    if (np.kind !== "Service") throw new Error()
    must(store.apply({ ...np, spec: { ...np.spec, ports: [{ ...np.spec.ports[0]!, nodePort: 30080 }] } }))
    const lb = decodeManifests(readFileSync(`${SEED}/service_lb.yml`, "utf8")).objects[0]!.object
    if (lb.kind !== "Service") throw new Error()
    must(store.apply({ ...lb, spec: { ...lb.spec, ports: [{ ...lb.spec.ports[0]!, nodePort: 31234 }] } }))
    must(store.apply(decodeManifests(readFileSync(`${SEED}/service_externalname.yml`, "utf8")).objects[0]!.object))
    expect(getTable(store, "Service")).toBe(`NAME             TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)        AGE
external-db      ExternalName   <none>         db.example.com   <none>         0s
kubernetes       ClusterIP      10.96.0.1      <none>           443/TCP        46s
web-service      NodePort       10.108.4.193   <none>           80:30080/TCP   15s
web-service-lb   LoadBalancer   10.108.4.193   <pending>        80:31234/TCP   0s
`)
    const live = store.get("Service", "default", "web-service-lb")!
    must(store.update({ ...live, status: { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } } }))
    expect(getTable(store, "Service")).toContain("web-service-lb   LoadBalancer   10.108.4.193   203.0.113.10     80:31234/TCP")
  })

  test("get endpointslices", () => {
    const { store } = walkthrough()
    const eps: EndpointSlice = defaultEndpointSlice(
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "web-service-x7k2p", labels: { "kubernetes.io/service-name": "web-service" } },
        addressType: "IPv4",
        endpoints: ["10.244.1.2", "10.244.2.2", "10.244.1.3", "10.244.2.3"].map((a) => ({ addresses: [a], conditions: { ready: true } })),
        ports: [{ name: "", port: 80, protocol: "TCP" }],
      },
      "default",
    )
    must(store.create(eps))
    expect(getTable(store, "EndpointSlice")).toBe(`NAME                ADDRESSTYPE   PORTS   ENDPOINTS                                      AGE
web-service-x7k2p   IPv4          80      10.244.1.2,10.244.2.2,10.244.1.3 + 1 more...   0s
`)
  })

  test("STATUS of a deleted pod: Terminating unless its phase is terminal, Unknown when NodeLost; restarts with their age", () => {
    const [d] = decodeManifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: '2024-01-01T00:00:00Z'}\nspec:\n  containers: [{name: c, image: busybox}]\n").objects
    const base = d!.object as Pod
    const now = seconds(600)
    const deleted = { ...base, metadata: { ...base.metadata, deletionTimestamp: "2024-01-01T00:09:00Z" } }
    const row = (p: Pod) => podColumns.row(p, now, false).slice(1, 4)
    const done = { ...deleted, status: { ...deleted.status, phase: "Succeeded" as const, containerStatuses: [{ name: "c", ready: false, restartCount: 0, image: "busybox", state: { terminated: { exitCode: 0, reason: "Completed" } } }] } }
    expect(row(done)).toEqual(["0/1", "Completed", "0"])
    const running = { ...deleted, status: { ...deleted.status, phase: "Running" as const } }
    expect(row(running)[1]).toBe("Terminating")
    expect(row({ ...running, status: { ...running.status, reason: "NodeLost" } })[1]).toBe("Unknown")
    const restarted = {
      ...base,
      status: {
        ...base.status,
        phase: "Running" as const,
        containerStatuses: [{ name: "c", ready: true, restartCount: 2, image: "busybox", state: { running: { startedAt: "2024-01-01T00:08:00Z" } }, lastState: { terminated: { exitCode: 137, reason: "Error", finishedAt: "2024-01-01T00:07:59Z" } } }],
      },
    }
    expect(row(restarted)).toEqual(["1/1", "Running", "2 (2m1s ago)"])
  })

  test("nothing to print", () => {
    const store = new ApiStore(new Simulation(1))
    expect(getAll(store)).toBe("No resources found in default namespace.\n")
    expect(getTable(store, "Pod", { namespace: "kube-system" })).toBe("No resources found in kube-system namespace.\n")
  })

  test("-o yaml and -o json print a List with sorted keys and resourceVersions", () => {
    const { store } = walkthrough()
    const svcs = selectObjects(store, ["Service"])
    const yaml = toYamlOutput(svcs)
    expect(yaml.startsWith("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n")).toBe(true)
    expect(yaml).toContain("    resourceVersion: '1'\n")
    expect(yaml).toContain("    clusterIP: 10.96.0.1\n")
    expect(yaml.endsWith("kind: List\nmetadata:\n  resourceVersion: ''\n")).toBe(true)
    const json = toJsonOutput(svcs)
    const parsed = JSON.parse(json) as { kind: string; items: Array<{ metadata: { name: string; resourceVersion: string } }> }
    expect(parsed.kind).toBe("List")
    expect(parsed.items.map((i) => i.metadata.name)).toEqual(["kubernetes", "web-service"])
    expect(json.split("\n")[1]).toBe('    "apiVersion": "v1",')
    // Round trip: kubectl's -o yaml output decodes back to the same objects (status and server fields aside).
    const back = decodeManifests(yaml)
    expect(back.errors).toEqual([])
    expect(back.objects.map((o) => o.object.metadata.name)).toEqual(["kubernetes", "web-service"])
  })
})

describe("formatting helpers", () => {
  test.each([
    [0, "0s"],
    [59, "59s"],
    [119, "119s"],
    [120, "2m"],
    [123, "2m3s"],
    [599, "9m59s"],
    [600, "10m"],
    [3 * 3600 - 1, "179m"],
    [3 * 3600 + 5 * 60, "3h5m"],
    [8 * 3600, "8h"],
    [47 * 3600, "47h"],
    [2 * 86400 + 3 * 3600, "2d3h"],
    [8 * 86400, "8d"],
    [2 * 365 * 86400 + 30 * 86400, "2y30d"],
    [9 * 365 * 86400, "9y"],
  ])("humanDuration(%ds) = %s", (s, text) => {
    expect(humanDuration(s * 1e9)).toBe(text)
  })

  test("negative durations: up to 1 s is 0s, more is <invalid>", () => {
    expect(humanDuration(-seconds(1))).toBe("0s")
    expect(humanDuration(-seconds(2))).toBe("<invalid>")
  })

  test("tabwriter: minimum width 6, padding 3, last column unpadded", () => {
    expect(renderTable([["A", "BB", "C"], ["long-name", "x", "y"]])).toBe("A           BB    C\nlong-name   x     y\n")
  })
})
