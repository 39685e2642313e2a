import type { Host } from "../../net/index"
import type { ResolvConf } from "../../dns/index"
import type { Container, Pod } from "../api/index"
import type { EnvVar } from "../envvars/index"

/** The signal a container's runtime sends to stop it: the image's STOPSIGNAL, SIGTERM when it sets none. */
export type StopSignal = "SIGTERM" | "SIGQUIT"

/** Everything a container's process starts with. */
export interface ContainerStart {
  readonly pod: Pod
  readonly container: Container
  /** The pod's network namespace (shared by its containers). */
  readonly host: Host
  readonly podIp: string
  /** The pod's hostname (`spec.hostname`, else the pod name), what `hostname` prints and nginx serves here. */
  readonly hostname: string
  readonly nodeName: string
  /** The container's environment as `env` prints it (service links and the container's own `env`). */
  readonly env: ReadonlyArray<EnvVar>
  readonly resolvConf: ResolvConf
  /** The process exited by itself with this code (the kubelet then applies the restartPolicy). */
  readonly onExit: (exitCode: number) => void
}

/** A running container's main process, as the kubelet controls it through the runtime. */
export interface ContainerProcess {
  /** Delivers the stop signal; `exited` is called once the process has exited (maybe never: SIGKILL follows). */
  stop(signal: StopSignal, exited: (exitCode: number) => void): void
  /** SIGKILL: the process is gone now (exit code 137). */
  kill(): void
  /**
   * The application's own readiness, for apps that serve a readiness endpoint (nginx answers 503 on the httpGet
   * probe's path while unready). Absent: the app has no readiness endpoint it can fail.
   */
  setReady?(ready: boolean): void
  /** The application's own health, for apps that serve a liveness endpoint (nginx: 503 on the probe's path). */
  setLive?(live: boolean): void
}

/** Starts a container's process for its image and command (the cluster maps images to simulated apps). */
export interface ContainerLauncher {
  launch(start: ContainerStart): ContainerProcess
  /** The image's STOPSIGNAL (the official nginx image sets SIGQUIT). */
  stopSignal(image: string): StopSignal
}

/**
 * An image reference as the container runtime reports it in `status.containerStatuses[].image`: the docker
 * reference normalised (github.com/distribution/reference ParseNormalizedNamed + TagNameOnly): `nginx` →
 * `docker.io/library/nginx:latest`, `registry.k8s.io/coredns/coredns:v1.11.1` unchanged.
 */
export const normalizeImage = (image: string): string => {
  let name = image
  const slash = name.indexOf("/")
  const first = slash < 0 ? "" : name.slice(0, slash)
  const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost")
  if (!hasRegistry) name = `docker.io/${slash < 0 ? "library/" : ""}${name}`
  const lastSlash = name.lastIndexOf("/")
  const tail = name.slice(lastSlash + 1)
  if (!tail.includes(":") && !tail.includes("@")) name += ":latest"
  return name
}

/** The repository's last path element without tag or digest: `registry.k8s.io/coredns/coredns:v1.11.1` → `coredns`. */
export const imageBaseName = (image: string): string => {
  const tail = image.slice(image.lastIndexOf("/") + 1)
  const cut = tail.search(/[:@]/)
  return cut < 0 ? tail : tail.slice(0, cut)
}
