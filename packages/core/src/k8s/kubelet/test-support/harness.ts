import { expect } from "vitest"
import { Simulation } from "../../../sim/index"
import { Fabric, Network, parseCidr, parseIpv4 } from "../../../net/index"
import { RecordLog } from "../../../records/index"
import { decodeManifests, type Pod } from "../../api/index"
import { ApiStore } from "../../store/index"
import type { ContainerLauncher, ContainerProcess, ContainerStart } from "../container-runtime"
import { Kubelet } from "../kubelet"
import { later } from "../thunk-timer"

/** A test runtime: each container's process exits by itself after `exitAfter` with `code` (never when undefined). */
export class ScriptedLauncher implements ContainerLauncher {
  readonly starts: ContainerStart[] = []
  readonly signals: string[] = []
  constructor(private readonly script: { exitAfter?: number; code?: number; ignoreTerm?: boolean }) {}
  stopSignal(): "SIGTERM" {
    return "SIGTERM"
  }
  launch(s: ContainerStart): ContainerProcess {
    this.starts.push(s)
    const { exitAfter, code } = this.script
    let alive = true
    if (exitAfter !== undefined) {
      later(s.host.net.sim, exitAfter, () => {
        if (alive) {
          alive = false
          s.onExit(code ?? 0)
        }
      })
    }
    return {
      stop: (sig, exited) => {
        this.signals.push(sig)
        if (!this.script.ignoreTerm && alive) {
          alive = false
          exited(0)
        }
      },
      kill: () => {
        alive = false
        this.signals.push("SIGKILL")
      },
    }
  }
}

export const podYaml = (restartPolicy: string, extra = "") => `apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  nodeName: node-a
  restartPolicy: ${restartPolicy}
  containers:
    - name: main
      image: example/app:1
${extra}`

/** One node-a kubelet (started at 0) and the pod of `yaml`, created at `createAt` (default 0). */
export const harness = (script: ConstructorParameters<typeof ScriptedLauncher>[0], yaml: string, opts: { seed?: number; createAt?: number } = {}) => {
  const sim = new Simulation(opts.seed ?? 3)
  const net = new Network(sim)
  const fabric = new Fabric(net, { lan: parseCidr("192.168.0.0/24") })
  fabric.addNode("node-a", { ip: parseIpv4("192.168.0.10"), podCidr: parseCidr("10.244.1.0/24") })
  const store = new ApiStore(sim)
  const records = new RecordLog()
  const launcher = new ScriptedLauncher(script)
  const kubelet = new Kubelet(sim, store, {
    nodeName: "node-a",
    nodeIp: "192.168.0.10",
    podCidr: parseCidr("10.244.1.0/24"),
    fabric,
    launcher,
    dns: { clusterDomain: "cluster.local", clusterDns: ["10.96.0.10"], nodeResolvConf: { nameservers: ["192.168.0.1"], searches: [], options: [] } },
    watchDelay: 10_000_000,
    records,
  })
  kubelet.start()
  const decoded = decodeManifests(yaml)
  expect(decoded.errors).toEqual([])
  if (opts.createAt !== undefined) sim.run({ until: opts.createAt })
  const r = store.create(decoded.objects[0]?.object as Pod)
  expect(r.ok).toBe(true)
  const pod = (): Pod | undefined => store.get("Pod", "default", "app")
  return { sim, store, kubelet, launcher, records, fabric, pod }
}

