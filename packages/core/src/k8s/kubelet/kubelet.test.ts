import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND } from "../../sim/index"
import type { Pod } from "../api/index"
import { harness, podYaml } from "./test-support/harness"

const S = NANOS_PER_SECOND

describe("kubelet", () => {
  it("Pending/ContainerCreating → Running/Ready with the conditions and container status the kubelet writes", () => {
    const h = harness({}, podYaml("Always"))
    h.sim.run({ until: 0.1 * S })
    let p = h.pod() as Pod
    expect(p.status.phase).toBe("Pending")
    expect(p.status.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: "ContainerCreating" } })
    expect(p.status.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      "PodReadyToStartContainers=False",
      "Initialized=True",
      "Ready=False",
      "ContainersReady=False",
      "PodScheduled=True",
    ])
    expect(p.status.conditions?.find((c) => c.type === "Ready")?.message).toBe("containers with unready status: [main]")
    h.sim.run({ until: 10 * S })
    p = h.pod() as Pod
    expect(p.status.phase).toBe("Running")
    expect(p.status.podIP).toBe("10.244.1.2")
    expect(p.status.hostIP).toBe("192.168.0.10")
    const cs = p.status.containerStatuses?.[0]
    expect(cs?.ready).toBe(true)
    expect(cs?.started).toBe(true)
    expect(cs?.image).toBe("docker.io/example/app:1")
    expect(cs?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/)
    expect(cs?.state?.running?.startedAt).toMatch(/^2024-01-01T00:00:0\dZ$/)
    expect(p.status.conditions?.every((c) => c.status === "True")).toBe(true)
    expect(h.fabric.pods.has("default/app")).toBe(true)
    expect(h.launcher.starts[0]?.resolvConf).toEqual({ nameservers: ["10.96.0.10"], searches: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"], options: ["ndots:5"] })
  })

  it("restartPolicy Always: the first restart is immediate, then the crash-loop back-off (10 s, 20 s, 40 s) — kuberuntime_manager.go doBackOff", () => {
    const h = harness({ exitAfter: 1 * S, code: 1 }, podYaml("Always"))
    h.sim.run({ until: 120 * S })
    const exits = h.records.ofKind("action").filter((a) => a.verb === "exit").map((a) => a.t)
    const starts = h.records.ofKind("action").filter((a) => a.verb === "start").map((a) => a.t)
    expect(starts.length).toBeGreaterThanOrEqual(5)
    // No back-off entry yet: `Next` sets 10 s and the container starts at once (only the cached pull and start).
    expect((starts[1] as number) - (exits[0] as number)).toBeLessThan(1 * S)
    // Each later crash lands inside the window: it waits the back-off after the exit, doubling.
    for (const [i, backoff] of [10, 20, 40].entries()) {
      const gap = (starts[i + 2] as number) - (exits[i + 1] as number)
      expect(gap).toBeGreaterThanOrEqual(backoff * S)
      expect(gap).toBeLessThan(backoff * S + 1 * S)
    }
    const cs = h.pod()?.status.containerStatuses?.[0]
    expect(cs?.restartCount).toBeGreaterThanOrEqual(3)
    expect(cs?.lastState?.terminated?.exitCode).toBe(1)
    expect(h.pod()?.status.phase).toBe("Running")
  })

  it("restartPolicy Never: a failed container makes the pod Failed; exit 0 makes it Succeeded", () => {
    const failed = harness({ exitAfter: 2 * S, code: 3 }, podYaml("Never"))
    failed.sim.run({ until: 30 * S })
    expect(failed.pod()?.status.phase).toBe("Failed")
    expect(failed.pod()?.status.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, reason: "Error" })
    const ok = harness({ exitAfter: 2 * S, code: 0 }, podYaml("OnFailure"))
    ok.sim.run({ until: 30 * S })
    expect(ok.pod()?.status.phase).toBe("Succeeded")
    expect(ok.pod()?.status.conditions?.find((c) => c.type === "Ready")?.reason).toBe("PodCompleted")
  })

  it("graceful deletion: a process ignoring SIGTERM is killed at the end of the grace period, then the pod goes and its IP is free", () => {
    const h = harness({ ignoreTerm: true }, podYaml("Always", "  terminationGracePeriodSeconds: 12\n"))
    h.sim.run({ until: 10 * S })
    const t0 = h.sim.now
    expect(h.store.delete("Pod", "default", "app").ok).toBe(true)
    h.sim.run({ until: t0 + 11 * S })
    expect(h.pod()?.metadata.deletionTimestamp).toBeDefined()
    expect(h.launcher.signals).toEqual(["SIGTERM"])
    h.sim.run({ until: t0 + 14 * S })
    expect(h.pod()).toBeUndefined()
    expect(h.launcher.signals).toEqual(["SIGTERM", "SIGKILL"])
    expect(h.fabric.pods.has("default/app")).toBe(false)
    expect(h.kubelet.ipam.allocated.size).toBe(0)
  })

  it("preStop sleep runs before the stop signal; a process honouring SIGTERM ends the pod early", () => {
    const h = harness({}, podYaml("Always", "      lifecycle:\n        preStop:\n          sleep:\n            seconds: 4\n"))
    h.sim.run({ until: 10 * S })
    const t0 = h.sim.now
    h.store.delete("Pod", "default", "app")
    h.sim.run({ until: t0 + 3.9 * S })
    expect(h.launcher.signals).toEqual([])
    h.sim.run({ until: t0 + 5 * S })
    expect(h.launcher.signals).toEqual(["SIGTERM"])
    expect(h.pod()).toBeUndefined()
  })
})
