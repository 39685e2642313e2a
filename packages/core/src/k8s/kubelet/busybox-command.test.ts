import { describe, expect, it } from "vitest"
import { BUSYBOX_WGET_DEFAULT_TIMEOUT_SECONDS, parseWgetLoop, shellScript } from "./busybox-command"
import { preStopSeconds } from "./kubelet"
import { imageBaseName, normalizeImage } from "./container-runtime"

describe("the seed's busybox loop", () => {
  it("recognises the walkthrough's command", () => {
    const script = shellScript(["sh", "-c", "while true; do wget -q -O - http://web-service; sleep 1; done"], undefined)
    expect(script).toBeDefined()
    expect(parseWgetLoop(script as string)).toEqual({ url: "http://web-service", sleepSeconds: 1, timeoutSeconds: BUSYBOX_WGET_DEFAULT_TIMEOUT_SECONDS })
  })

  it("tolerates spacing, newlines, -O-, -T, quotes and fractional sleeps", () => {
    expect(parseWgetLoop("while true\ndo\n  wget -O- -q -T 5 'http://web:8080/x'\n  sleep 0.5\ndone")).toEqual({ url: "http://web:8080/x", sleepSeconds: 0.5, timeoutSeconds: 5 })
    expect(shellScript(["/bin/sh"], ["-c", "x"])).toBe("x")
  })

  it("anything else is not the loop", () => {
    for (const s of [
      "sleep 3600",
      "while true; do wget http://a; sleep 1; done",
      "while true; do wget -q -O - http://a; done",
      "while true; do wget -q -O - http://a; sleep x; done",
      "while true; do curl -s http://a; sleep 1; done",
      "while true; do wget -q -O - http://a; sleep 1; echo; done",
    ]) {
      expect(parseWgetLoop(s)).toBeUndefined()
    }
    expect(shellScript(["sleep", "3600"], undefined)).toBeUndefined()
  })

  it("preStop hooks hold the container for sleep seconds; other hooks return at once", () => {
    expect(preStopSeconds({ sleep: { seconds: 7 } })).toBe(7)
    expect(preStopSeconds({ exec: { command: ["sh", "-c", "sleep 15"] } })).toBe(15)
    expect(preStopSeconds({ exec: { command: ["/bin/sleep", "2"] } })).toBe(2)
    expect(preStopSeconds({ exec: { command: ["nginx", "-s", "quit"] } })).toBe(0)
    expect(preStopSeconds(undefined)).toBe(0)
  })

  it("images are reported as the runtime normalises them", () => {
    expect(normalizeImage("nginx")).toBe("docker.io/library/nginx:latest")
    expect(normalizeImage("nginx:latest")).toBe("docker.io/library/nginx:latest")
    expect(normalizeImage("bitnami/nginx:1.25")).toBe("docker.io/bitnami/nginx:1.25")
    expect(normalizeImage("registry.k8s.io/coredns/coredns:v1.11.1")).toBe("registry.k8s.io/coredns/coredns:v1.11.1")
    expect(normalizeImage("localhost:5000/app")).toBe("localhost:5000/app:latest")
    expect(imageBaseName("registry.k8s.io/coredns/coredns:v1.11.1")).toBe("coredns")
    expect(imageBaseName("busybox")).toBe("busybox")
  })
})
