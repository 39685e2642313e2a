import type { ContainerState, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from "../api/index"

/** What the kubelet knows of one container, from which its status is written. */
export interface ContainerView {
  readonly name: string
  readonly image: string
  readonly containerID: string | undefined
  readonly state: ContainerState
  readonly lastState: ContainerState | undefined
  readonly ready: boolean
  readonly started: boolean
  readonly restartCount: number
  /** Has run at least once (a waiting container that ran before counts for the phase as having run). */
  readonly hasRun: boolean
}

export interface PodStatusInput {
  readonly sandboxReady: boolean
  readonly hostIP: string
  readonly podIP: string | undefined
  readonly startTime: string
  readonly containers: ReadonlyArray<ContainerView>
  readonly restartPolicy: Pod["spec"]["restartPolicy"]
  readonly now: string
}

/**
 * pkg/kubelet/kubelet_pods.go getPhase: Pending while a container waits without having run (or nothing ran);
 * Running while any container runs (or waits to restart); once every container has terminated, Succeeded when all
 * exited 0, else Failed under restartPolicy Never (OnFailure restarts failures, so it stays Running).
 */
export const podPhase = (containers: ReadonlyArray<ContainerView>, restartPolicy: Pod["spec"]["restartPolicy"]): PodPhase => {
  let pendingInit = 0
  let running = 0
  let waiting = 0
  let stopped = 0
  let succeeded = 0
  for (const c of containers) {
    if (c.state.running !== undefined) running++
    else if (c.state.terminated !== undefined) {
      stopped++
      if (c.state.terminated.exitCode === 0) succeeded++
    } else if (c.hasRun) waiting++
    else pendingInit++
  }
  if (pendingInit > 0) return "Pending"
  if (running > 0 || waiting > 0) return "Running"
  if (stopped === containers.length && containers.length > 0) {
    if (restartPolicy === "Always") return "Running"
    if (succeeded === stopped) return "Succeeded"
    return restartPolicy === "Never" ? "Failed" : "Running"
  }
  return "Pending"
}

const condition = (type: string, ok: boolean, now: string, previous: ReadonlyArray<PodCondition> | undefined, reason?: string, message?: string): PodCondition => {
  const status = ok ? "True" : "False"
  const before = previous?.find((c) => c.type === type)
  // The transition time moves only when the status does (pkg/kubelet/status/status_manager.go updateLastTransitionTime).
  const lastTransitionTime = before !== undefined && before.status === status && before.lastTransitionTime !== undefined ? before.lastTransitionTime : now
  return {
    type,
    status,
    lastTransitionTime,
    ...(ok || reason === undefined ? {} : { reason }),
    ...(ok || message === undefined ? {} : { message }),
  }
}

/**
 * The status the kubelet writes (kubelet_pods.go generateAPIPodStatus and pkg/kubelet/status/generate.go):
 * conditions in the order a real pod shows them — PodReadyToStartContainers, Initialized, Ready, ContainersReady,
 * PodScheduled — with `ContainersNotReady` and `containers with unready status: [a b]` while any is unready.
 */
export const podStatus = (pod: Pod, s: PodStatusInput): PodStatus => {
  const prev = pod.status.conditions
  const unready = s.containers.filter((c) => !c.ready).map((c) => c.name)
  const allReady = unready.length === 0 && s.containers.length > 0
  const unreadyMessage = `containers with unready status: [${unready.join(" ")}]`
  const phase = podPhase(s.containers, s.restartPolicy)
  const terminal = phase === "Succeeded" || phase === "Failed"
  // generate.go GeneratePodReadyCondition: a completed pod's reason is PodCompleted.
  const notReadyReason = terminal ? "PodCompleted" : "ContainersNotReady"
  const scheduled = prev?.find((c) => c.type === "PodScheduled")
  const conditions: PodCondition[] = [
    condition("PodReadyToStartContainers", s.sandboxReady, s.now, prev),
    condition("Initialized", true, s.now, prev),
    condition("Ready", allReady && !terminal, s.now, prev, notReadyReason, terminal ? undefined : unreadyMessage),
    condition("ContainersReady", allReady && !terminal, s.now, prev, notReadyReason, terminal ? undefined : unreadyMessage),
    scheduled ?? { type: "PodScheduled", status: "True", lastTransitionTime: s.startTime },
  ]
  const containerStatuses: ContainerStatus[] = s.containers.map((c) => ({
    name: c.name,
    state: c.state,
    ...(c.lastState !== undefined ? { lastState: c.lastState } : { lastState: {} }),
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    ...(c.containerID !== undefined ? { containerID: c.containerID } : {}),
    started: c.started,
  }))
  return {
    ...pod.status,
    phase,
    conditions,
    hostIP: s.hostIP,
    hostIPs: [{ ip: s.hostIP }],
    ...(s.podIP !== undefined ? { podIP: s.podIP, podIPs: [{ ip: s.podIP }] } : {}),
    startTime: s.startTime,
    containerStatuses,
  }
}
