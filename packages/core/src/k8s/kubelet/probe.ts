import { NANOS_PER_SECOND } from "../../sim/index"
import { parseIpv4, type Host, type TcpConnection } from "../../net/index"
import type { Container, IntOrString, Probe } from "../api/index"
import { later } from "./thunk-timer"

/** A probe's port: a number, or the name of one of the container's ports (pkg/kubelet/prober/prober.go findPortByName). */
export const probePort = (port: IntOrString, container: Container): number | undefined => {
  if (typeof port === "number") return port
  if (/^\d+$/.test(port)) return Number(port)
  return container.ports?.find((p) => p.name === port)?.containerPort
}

/**
 * Runs one readiness/liveness probe from the node (the kubelet's network namespace) against the pod's IP:
 * - tcpSocket: success when the connection is established (pkg/probe/tcp/tcp.go DoTCPProbe), then closed;
 * - httpGet: a GET with `Connection: close`; success for a status in [200, 400) (pkg/probe/http/http.go DoHTTPProbe);
 * - exec: the simulator cannot run a command in the container: it succeeds while the container runs.
 * Anything that does not answer within timeoutSeconds fails. `done` is called exactly once.
 */
export const runProbe = (node: Host, podIp: string, probe: Probe, container: Container, done: (ok: boolean) => void): void => {
  let finished = false
  let conn: TcpConnection | null = null
  const finish = (ok: boolean): void => {
    if (finished) return
    finished = true
    if (conn !== null) {
      const c = conn
      conn = null
      c.close()
    }
    done(ok)
  }
  const action = probe.httpGet ?? probe.tcpSocket
  if (action === undefined) {
    finish(probe.exec !== undefined)
    return
  }
  const port = probePort(action.port, container)
  if (port === undefined) {
    finish(false)
    return
  }
  const target = action.host !== undefined && action.host !== "" ? action.host : podIp
  const http = probe.httpGet
  later(node.net.sim, probe.timeoutSeconds * NANOS_PER_SECOND, () => finish(false))
  conn = node.tcpConnect(parseIpv4(target), port, {
    onConnected: (c) => {
      if (http === undefined) {
        finish(true)
        return
      }
      c.send({ kind: "http-request", stream: 1, host: `${target}:${port}`, path: http.path, keepAlive: false }, 64)
    },
    onData: (_c, msg) => {
      const status = (msg as { kind?: unknown; status?: unknown }).kind === "http-response" ? Number((msg as { status: number }).status) : 0
      finish(status >= 200 && status < 400)
    },
    onClosed: () => {
      conn = null
      finish(false)
    },
  })
}
