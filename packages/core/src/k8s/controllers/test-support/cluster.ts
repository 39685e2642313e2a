import { type KubeObject, decodeManifests } from "../../api/index"
import { ApiStore } from "../../store/index"
import { RecordLog } from "../../../records/index"
import { Simulation } from "../../../sim/index"
import { ServiceAllocator } from "../allocators/service-allocator"
import { DeploymentController } from "../deployment/deployment-controller"
import { DaemonSetController } from "../daemonset/daemonset-controller"
import { StatefulSetController } from "../statefulset/statefulset-controller"
import { EndpointSliceController } from "../endpointslice/endpointslice-controller"
import { LoadBalancerController } from "../loadbalancer/load-balancer-controller"
import { defaultTolerationSecondsAdmission } from "../nodelifecycle/default-tolerations"
import { NodeLeases } from "../nodelifecycle/node-leases"
import { NodeLifecycleController } from "../nodelifecycle/node-lifecycle-controller"
import { ReplicaSetController } from "../replicaset/replicaset-controller"
import { Scheduler } from "../scheduler/scheduler"
import { FakeKubelet } from "./fake-kubelet"

/** Every controller of this module on one store, with fake kubelets on `nodes` nodes: the tests' cluster. */
export const testCluster = (seed: number | string, nodes = 3) => {
  const sim = new Simulation(seed)
  const store = new ApiStore(sim)
  const log = new RecordLog()
  const leases = new NodeLeases()
  store.addAdmission(defaultTolerationSecondsAdmission())
  const allocator = new ServiceAllocator(sim, store)
  allocator.start()
  const kubelets: FakeKubelet[] = []
  for (let i = 0; i < nodes; i++) {
    const k = new FakeKubelet(sim, store, leases, `node-${i + 1}`, { index: i + 1, zone: `zone-${(i % 2) + 1}` })
    k.start()
    kubelets.push(k)
  }
  const controllers = {
    deployment: new DeploymentController(sim, store, { log }),
    replicaset: new ReplicaSetController(sim, store, { log }),
    statefulset: new StatefulSetController(sim, store, { log }),
    daemonset: new DaemonSetController(sim, store, { log }),
    scheduler: new Scheduler(sim, store, { log }),
    endpointslice: new EndpointSliceController(sim, store, { log }),
    nodeLifecycle: new NodeLifecycleController(sim, store, { leases, log }),
    loadBalancer: new LoadBalancerController(sim, store, { pool: ["203.0.113.0/29"], log }),
  }
  for (const c of Object.values(controllers)) c.start()
  const apply = (yaml: string): KubeObject[] => {
    const d = decodeManifests(yaml)
    if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join("\n"))
    return d.objects.map((o) => {
      const r = store.apply(o.object)
      if (!r.ok) throw new Error(r.message)
      return r.object
    })
  }
  return { sim, store, log, leases, allocator, kubelets, controllers, apply }
}

export const webDeployment = (replicas: number, image = "nginx:1.25", extra = "") => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-deploy
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - name: http
          containerPort: 80
${extra}`

export const webService = (type = "ClusterIP") => `
apiVersion: v1
kind: Service
metadata:
  name: web-service
spec:
  type: ${type}
  selector:
    app: web
  ports:
  - port: 80
    targetPort: http
`

/** A StatefulSet `db` (serviceName db, label app=db); `extra` is inserted into its spec. */
export const statefulSetManifest = (replicas: number, image = "nginx:1.25", extra = "") => `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: ${replicas}
${extra}  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "${image}", ports: [{containerPort: 80}]}]
`

/** A DaemonSet `agent` (label app=agent); `podSpecExtra` is inserted into its pod spec. */
export const daemonSetManifest = (image = "agent:1", podSpecExtra = "") => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
${podSpecExtra}      containers: [{name: agent, image: "${image}"}]
`
