import { readFileSync, readdirSync } from "node:fs"
import { join } from "node:path"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runs } from "../../../../../test-support/runs"
import type { ServiceView } from "../../dns/cluster-view"
import { containerEnvironment, expandEnvReferences, formatEnv } from "./container-env"
import { ashEnvironmentOrder, ashVarBucket } from "./ash-environment"
import { type EnvVar, fromServices, serviceEnvVars } from "./service-env-vars"

const svc = (namespace: string, name: string, clusterIP: string, ports: ServiceView["spec"]["ports"], type = "ClusterIP"): ServiceView => ({
  metadata: { name, namespace },
  spec: { type, clusterIP, ports },
})

describe("fromServices: kubernetes pkg/kubelet/envvars/envvars_test.go TestFromServices", () => {
  it("reproduces the upstream expected list in order", () => {
    const services = [
      svc("default", "foo-bar", "1.2.3.4", [{ port: 8080, protocol: "TCP" }]),
      svc("default", "abc-123", "5.6.7.8", [
        { name: "u-d-p", port: 8081, protocol: "UDP" },
        { name: "t-c-p", port: 8081, protocol: "TCP" },
      ]),
      svc("default", "q-u-u-x", "9.8.7.6", [
        { port: 8082, protocol: "TCP" },
        { name: "8083", port: 8083, protocol: "TCP" },
      ]),
      svc("default", "svrc-clusterip-none", "None", [{ port: 8082, protocol: "TCP" }]),
      svc("default", "svrc-clusterip-empty", "", [{ port: 8082, protocol: "TCP" }]),
      svc("default", "super-ipv6", "2001:DB8::", [
        { name: "u-d-p", port: 8084, protocol: "UDP" },
        { name: "t-c-p", port: 8084, protocol: "TCP" },
      ]),
      svc("default", "sctp-1", "1.2.3.4", [{ port: 777, protocol: "SCTP" }]),
    ]
    const expected = `FOO_BAR_SERVICE_HOST=1.2.3.4
FOO_BAR_SERVICE_PORT=8080
FOO_BAR_PORT=tcp://1.2.3.4:8080
FOO_BAR_PORT_8080_TCP=tcp://1.2.3.4:8080
FOO_BAR_PORT_8080_TCP_PROTO=tcp
FOO_BAR_PORT_8080_TCP_PORT=8080
FOO_BAR_PORT_8080_TCP_ADDR=1.2.3.4
ABC_123_SERVICE_HOST=5.6.7.8
ABC_123_SERVICE_PORT=8081
ABC_123_SERVICE_PORT_U_D_P=8081
ABC_123_SERVICE_PORT_T_C_P=8081
ABC_123_PORT=udp://5.6.7.8:8081
ABC_123_PORT_8081_UDP=udp://5.6.7.8:8081
ABC_123_PORT_8081_UDP_PROTO=udp
ABC_123_PORT_8081_UDP_PORT=8081
ABC_123_PORT_8081_UDP_ADDR=5.6.7.8
ABC_123_PORT_8081_TCP=tcp://5.6.7.8:8081
ABC_123_PORT_8081_TCP_PROTO=tcp
ABC_123_PORT_8081_TCP_PORT=8081
ABC_123_PORT_8081_TCP_ADDR=5.6.7.8
Q_U_U_X_SERVICE_HOST=9.8.7.6
Q_U_U_X_SERVICE_PORT=8082
Q_U_U_X_SERVICE_PORT_8083=8083
Q_U_U_X_PORT=tcp://9.8.7.6:8082
Q_U_U_X_PORT_8082_TCP=tcp://9.8.7.6:8082
Q_U_U_X_PORT_8082_TCP_PROTO=tcp
Q_U_U_X_PORT_8082_TCP_PORT=8082
Q_U_U_X_PORT_8082_TCP_ADDR=9.8.7.6
Q_U_U_X_PORT_8083_TCP=tcp://9.8.7.6:8083
Q_U_U_X_PORT_8083_TCP_PROTO=tcp
Q_U_U_X_PORT_8083_TCP_PORT=8083
Q_U_U_X_PORT_8083_TCP_ADDR=9.8.7.6
SUPER_IPV6_SERVICE_HOST=2001:DB8::
SUPER_IPV6_SERVICE_PORT=8084
SUPER_IPV6_SERVICE_PORT_U_D_P=8084
SUPER_IPV6_SERVICE_PORT_T_C_P=8084
SUPER_IPV6_PORT=udp://[2001:DB8::]:8084
SUPER_IPV6_PORT_8084_UDP=udp://[2001:DB8::]:8084
SUPER_IPV6_PORT_8084_UDP_PROTO=udp
SUPER_IPV6_PORT_8084_UDP_PORT=8084
SUPER_IPV6_PORT_8084_UDP_ADDR=2001:DB8::
SUPER_IPV6_PORT_8084_TCP=tcp://[2001:DB8::]:8084
SUPER_IPV6_PORT_8084_TCP_PROTO=tcp
SUPER_IPV6_PORT_8084_TCP_PORT=8084
SUPER_IPV6_PORT_8084_TCP_ADDR=2001:DB8::
SCTP_1_SERVICE_HOST=1.2.3.4
SCTP_1_SERVICE_PORT=777
SCTP_1_PORT=sctp://1.2.3.4:777
SCTP_1_PORT_777_SCTP=sctp://1.2.3.4:777
SCTP_1_PORT_777_SCTP_PROTO=sctp
SCTP_1_PORT_777_SCTP_PORT=777
SCTP_1_PORT_777_SCTP_ADDR=1.2.3.4
`
    const got = formatEnv(fromServices(services))
    expect(got).toBe(expected)
    expect(got.split("\n").length - 1).toBe(52)
  })
})

describe("service selection: kubernetes pkg/kubelet/kubelet_pods_test.go TestMakeEnvironmentVariables", () => {
  const tcp = (port: number) => [{ port, protocol: "TCP" }]
  const services = [
    svc("default", "kubernetes", "1.2.3.1", tcp(8081)),
    svc("test1", "test", "1.2.3.3", tcp(8083)),
    svc("test2", "kubernetes", "1.2.3.4", tcp(8084)),
    svc("test2", "test", "1.2.3.5", tcp(8085)),
    svc("test2", "test", "None", tcp(8085)),
    svc("test2", "test", "", tcp(8085)),
    svc("default", "not-special", "1.2.3.8", tcp(8088)),
    svc("default", "not-special", "None", tcp(8088)),
    svc("default", "not-special", "", tcp(8088)),
  ]
  const hosts = (ns: string, links: boolean) =>
    serviceEnvVars(services, ns, links)
      .filter((v) => v.name.endsWith("_SERVICE_HOST") || v.name.endsWith("_SERVICE_PORT"))
      .map((v) => `${v.name}=${v.value}`)
      .sort()
  it.each([
    ["test1", false, ["KUBERNETES_SERVICE_HOST=1.2.3.1", "KUBERNETES_SERVICE_PORT=8081"]],
    ["test1", true, ["KUBERNETES_SERVICE_HOST=1.2.3.1", "KUBERNETES_SERVICE_PORT=8081", "TEST_SERVICE_HOST=1.2.3.3", "TEST_SERVICE_PORT=8083"]],
    ["test2", false, ["KUBERNETES_SERVICE_HOST=1.2.3.1", "KUBERNETES_SERVICE_PORT=8081"]],
    ["test2", true, ["KUBERNETES_SERVICE_HOST=1.2.3.4", "KUBERNETES_SERVICE_PORT=8084", "TEST_SERVICE_HOST=1.2.3.5", "TEST_SERVICE_PORT=8085"]],
    ["default", false, ["KUBERNETES_SERVICE_HOST=1.2.3.1", "KUBERNETES_SERVICE_PORT=8081"]],
    ["default", true, ["KUBERNETES_SERVICE_HOST=1.2.3.1", "KUBERNETES_SERVICE_PORT=8081", "NOT_SPECIAL_SERVICE_HOST=1.2.3.8", "NOT_SPECIAL_SERVICE_PORT=8088"]],
  ] as const)("pod in %s, enableServiceLinks=%s", (ns, links, expected) => {
    expect(hosts(ns, links)).toEqual([...expected])
    // 7 variables per selected Service (unnamed TCP port).
    expect(serviceEnvVars(services, ns, links).length).toBe(7 * expected.length / 2)
  })

  it("skips ExternalName and headless Services", () => {
    const vars = serviceEnvVars([svc("ns", "ext", "", undefined, "ExternalName"), svc("ns", "h", "None", tcp(80))], "ns")
    expect(vars).toEqual([])
  })
})

describe("the seed walkthrough's busybox pod", () => {
  const seedDir = join(__dirname, "../../../../../../shared/seed")
  const seedFile = readdirSync(seedDir).find((f) => f.startsWith("000_"))
  it("gets exactly the seven WEB_SERVICE_* lines the walkthrough prints, plus KUBERNETES_*", () => {
    const text = readFileSync(join(seedDir, seedFile as string), "utf8")
    const seedLines = text
      .split("\n")
      .filter((l) => l.startsWith("WEB_SERVICE_"))
      .map((l) => l.trim())
    expect(seedLines.length).toBe(7)
    const seedIp = "10.108.4.193"
    const services = [
      svc("default", "kubernetes", "10.96.0.1", [{ name: "https", port: 443, protocol: "TCP" }]),
      svc("default", "web-service", seedIp, [{ port: 80, protocol: "TCP" }]),
    ]
    const env = serviceEnvVars(services, "default", true)
    const web = env.filter((v) => v.name.startsWith("WEB_SERVICE")).map((v) => `${v.name}=${v.value}`)
    expect([...web].sort()).toEqual([...seedLines].sort())
    expect(web[0]).toBe(`WEB_SERVICE_SERVICE_HOST=${seedIp}`)
    expect(env.filter((v) => v.name.startsWith("KUBERNETES_")).map((v) => `${v.name}=${v.value}`)).toEqual([
      "KUBERNETES_SERVICE_HOST=10.96.0.1",
      "KUBERNETES_SERVICE_PORT=443",
      "KUBERNETES_SERVICE_PORT_HTTPS=443",
      "KUBERNETES_PORT=tcp://10.96.0.1:443",
      "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443",
      "KUBERNETES_PORT_443_TCP_PROTO=tcp",
      "KUBERNETES_PORT_443_TCP_PORT=443",
      "KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1",
    ])
  })

  it("a pod created before the Service lacks its variables", () => {
    const before = serviceEnvVars([svc("default", "kubernetes", "10.96.0.1", [{ name: "https", port: 443 }])], "default")
    expect(before.some((v) => v.name.startsWith("WEB_SERVICE"))).toBe(false)
  })
})

describe("container environment", () => {
  it("declared env wins and $(VAR) expands against declared and service variables", () => {
    const env = containerEnvironment(
      [
        { name: "A", value: "x" },
        { name: "URL", value: "http://$(WEB_SERVICE_SERVICE_HOST):$(WEB_SERVICE_SERVICE_PORT)/$(A)/$(NOPE)/$$(A)" },
        { name: "WEB_SERVICE_SERVICE_PORT", value: "9" },
      ],
      [
        { name: "WEB_SERVICE_SERVICE_HOST", value: "10.0.0.7" },
        { name: "WEB_SERVICE_SERVICE_PORT", value: "80" },
      ],
    )
    expect(formatEnv(env)).toBe("A=x\nURL=http://10.0.0.7:80/x/$(NOPE)/$(A)\nWEB_SERVICE_SERVICE_PORT=9\nWEB_SERVICE_SERVICE_HOST=10.0.0.7\n")
  })
  it("leaves an unterminated reference alone", () => {
    expect(expandEnvReferences("a$(B", () => "z")).toBe("a$(B")
  })
})

describe("busybox sh environment order (shell/ash.c hashvar/listvars)", () => {
  const seedDir = join(__dirname, "../../../../../../shared/seed")
  const seedFile = readdirSync(seedDir).find((f) => f.startsWith("000_"))
  it("reproduces the seed walkthrough's `env | grep WEB_SERVICE` line for line", () => {
    const text = readFileSync(join(seedDir, seedFile as string), "utf8")
    const seedLines = text
      .split("\n")
      .filter((l) => l.startsWith("WEB_SERVICE_"))
      .map((l) => l.trim())
    const services = [
      svc("default", "kubernetes", "10.96.0.1", [{ name: "https", port: 443, protocol: "TCP" }]),
      svc("default", "web-service", "10.108.4.193", [{ port: 80, protocol: "TCP" }]),
    ]
    const env = ashEnvironmentOrder(containerEnvironment([], serviceEnvVars(services, "default", true)))
    expect(env.filter((v) => v.name.startsWith("WEB_SERVICE")).map((v) => `${v.name}=${v.value}`)).toEqual(seedLines)
  })
  it("buckets by ash's hash: first byte << 4 plus every byte, mod 39", () => {
    expect(ashVarBucket("WEB_SERVICE_SERVICE_PORT")).toBe(6)
    expect(ashVarBucket("WEB_SERVICE_PORT")).toBe(6)
    expect(ashVarBucket("WEB_SERVICE_SERVICE_HOST")).toBe(38)
    // "A": (65 << 4) + 65 = 1105 = 28·39 + 13; the name stops at '='.
    expect(ashVarBucket("A")).toBe(13)
    expect(ashVarBucket("A=xyz")).toBe(13)
  })
  it("is a stable permutation: buckets ascending, arrival order within a bucket", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/), { maxLength: 40 }), (names) => {
        const vars = names.map((name, i) => ({ name, value: String(i) }))
        const out = ashEnvironmentOrder(vars)
        expect([...out].map((v) => v.name).sort()).toEqual([...names].sort())
        for (let i = 1; i < out.length; i++) {
          const a = out[i - 1] as EnvVar
          const b = out[i] as EnvVar
          const ba = ashVarBucket(a.name)
          const bb = ashVarBucket(b.name)
          expect(ba <= bb).toBe(true)
          if (ba === bb) expect(Number(a.value) < Number(b.value)).toBe(true)
        }
      }),
      { numRuns: runs(200) },
    )
  })
})
