import { describe, expect, test } from "vitest"
import { NANOS_PER_SECOND } from "../../sim/index"
import { daemonSetManifest, statefulSetManifest, testCluster } from "../controllers/test-support/cluster"
import { getAll, getTable } from "./get"

const bundle = `${statefulSetManifest(2, "postgres:16")}---${daemonSetManifest("agent:1", "      nodeSelector: {kubernetes.io/os: linux}\n")}---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1", b: "2"}
binaryData: {c: AA==}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {user: u, password: p}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: db}
`

describe("kubectl get for the bundle kinds (pkg/printers/internalversion/printers.go)", () => {
  test("statefulsets, daemonsets, configmaps, secrets, serviceaccounts; get all lists daemonsets and statefulsets in kubectl's order", () => {
    const c = testCluster(1, 2)
    // The fake kubelets' nodes carry no kubernetes.io/os label: label them as a real kubelet does.
    for (const n of c.store.list("Node")) c.store.update({ ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, "kubernetes.io/os": "linux" } } })
    c.apply(bundle)
    c.sim.run({ until: 120 * NANOS_PER_SECOND })
    expect(getTable(c.store, "StatefulSet")).toBe("NAME   READY   AGE\ndb     2/2     2m\n")
    expect(getTable(c.store, "StatefulSet", { wide: true })).toBe("NAME   READY   AGE   CONTAINERS   IMAGES\ndb     2/2     2m    db           postgres:16\n")
    expect(getTable(c.store, "DaemonSet")).toBe(
      "NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR            AGE\nagent   2         2         2       2            2           kubernetes.io/os=linux   2m\n",
    )
    expect(getTable(c.store, "ConfigMap")).toBe("NAME   DATA   AGE\ncfg    3      2m\n")
    expect(getTable(c.store, "Secret")).toBe("NAME    TYPE     DATA   AGE\ncreds   Opaque   2      2m\n")
    expect(getTable(c.store, "ServiceAccount")).toBe("NAME   SECRETS   AGE\ndb     0         2m\n")
    const all = getAll(c.store)
    const sections = all.split("\n").filter((l) => l.startsWith("NAME")).length
    expect(sections).toBe(3)
    expect(all.indexOf("daemonset.apps/agent")).toBeGreaterThan(all.indexOf("pod/"))
    expect(all.indexOf("statefulset.apps/db")).toBeGreaterThan(all.indexOf("daemonset.apps/agent"))
  })
})
