import { describe, expect, it } from "vitest"
import { Simulation } from "../sim/index"
import { checkServiceTime, drawServiceTime, ServiceTimeError, type ServiceTime } from "./service-time"
import { parseHttpUrl, UrlError } from "./url"
import { nameWireLength, queryBytes, responseBytes } from "./dns-wire"
import { requestBytes } from "./http-message"

describe("parseHttpUrl (busybox wget parse_url)", () => {
  it("takes host, port and path apart", () => {
    expect(parseHttpUrl("http://web-service")).toMatchObject({ host: "web-service", ip: null, port: 80, path: "/" })
    expect(parseHttpUrl("http://10.96.0.10:8080/index.html")).toMatchObject({ host: "10.96.0.10", ip: 0x0a60000a, port: 8080, path: "/index.html" })
    expect(parseHttpUrl("http://user@web:81?x=1")).toMatchObject({ host: "web", port: 81, path: "/?x=1" })
  })
  it("rejects what wget would not fetch, naming the URL and the problem", () => {
    expect(() => parseHttpUrl("https://web")).toThrow(UrlError)
    expect(() => parseHttpUrl("ftp://web")).toThrow(/expected http:\/\/host/)
    expect(() => parseHttpUrl("http://web:0/")).toThrow(/port "0" is not in 1-65535/)
    expect(() => parseHttpUrl("http://web:99999/")).toThrow(/port "99999"/)
    expect(() => parseHttpUrl("http:///x")).toThrow(/host ""/)
    expect(() => parseHttpUrl("http://we b/")).toThrow(UrlError)
  })
})

describe("service times", () => {
  it("rejects bad descriptions with the field named", () => {
    expect(() => checkServiceTime({ kind: "constant", value: -1 })).toThrow(/serviceTime.value: expected a whole number/)
    expect(() => checkServiceTime({ kind: "exponential", mean: 0 })).toThrow(/mean > 0/)
    expect(() => checkServiceTime({ kind: "lognormal", median: 1000, sigma: Number.NaN })).toThrow(/serviceTime.sigma/)
    expect(() => checkServiceTime({ kind: "uniform" } as unknown as ServiceTime, "web.serviceTime")).toThrow(ServiceTimeError)
    expect(() => checkServiceTime({ kind: "uniform" } as unknown as ServiceTime, "web.serviceTime")).toThrow(/web.serviceTime.kind/)
  })
  it("draws have the configured mean / median (large sample)", () => {
    const rng = new Simulation(7).rng("t")
    const n = 20_000
    let sum = 0
    for (let i = 0; i < n; i++) sum += drawServiceTime({ kind: "exponential", mean: 1_000_000 }, rng)
    expect(sum / n).toBeGreaterThan(970_000)
    expect(sum / n).toBeLessThan(1_030_000)
    const xs: number[] = []
    for (let i = 0; i < n; i++) xs.push(drawServiceTime({ kind: "lognormal", median: 2_000_000, sigma: 0.5 }, rng))
    xs.sort((a, b) => a - b)
    expect(xs[n / 2]).toBeGreaterThan(1_950_000)
    expect(xs[n / 2]).toBeLessThan(2_050_000)
    expect(drawServiceTime({ kind: "constant", value: 5 }, rng)).toBe(5)
  })
})

describe("wire sizes", () => {
  it("DNS names, queries and responses follow RFC 1035 lengths", () => {
    expect(nameWireLength(".")).toBe(1)
    expect(nameWireLength("a.bc.")).toBe(6)
    expect(queryBytes({ kind: "dns-query", id: 1, name: "web-service.default.svc.cluster.local.", qtype: "A" })).toBe(12 + 39 + 4)
    const answer = { rcode: "NOERROR" as const, authoritative: true, answer: [{ name: "a.", type: "A" as const, ttl: 5, data: "10.0.0.1" }], authority: [], additional: [] }
    expect(responseBytes({ kind: "dns-response", id: 1, name: "a.", qtype: "A", answer })).toBe(12 + 3 + 4 + 12 + 4)
  })
  it("wget's request is its literal header text", () => {
    expect(requestBytes({ kind: "http-request", stream: 1, host: "web-service", path: "/", keepAlive: false })).toBe(
      "GET / HTTP/1.1\r\nHost: web-service\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n".length,
    )
  })
})
