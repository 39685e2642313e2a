import { describe, expect, it } from "vitest"
import { NANOS_PER_SECOND } from "../sim/index"
import { HttpClient } from "./http-client"
import { makeSmallCluster } from "./test-support/small-cluster"

const S = NANOS_PER_SECOND

describe("the application's readiness endpoint", () => {
  it("answers 503 on its readiness paths while set unready, 200 on other paths, and 200 again once ready", () => {
    const c = makeSmallCluster({ webPods: 1, web: { readinessPaths: ["/healthz"] } })
    const srv = c.web[0]!.server
    const base = `http://${c.web[0]!.ip}`
    const wget = new HttpClient(c.client, c.env, { name: "wget" })
    const at = (t: number, path: string) => {
      c.sim.run({ until: t * S })
      wget.request(`${base}${path}`)
    }
    at(1, "/healthz")
    c.sim.run({ until: 2 * S })
    srv.setReady(false)
    expect(srv.ready).toBe(false)
    at(3, "/healthz")
    at(4, "/")
    c.sim.run({ until: 5 * S })
    srv.setReady(true)
    at(6, "/healthz")
    c.sim.run()
    const rs = c.records.ofKind("request")
    expect(rs.map((r) => `${r.outcome} ${r.status}`)).toEqual(["ok 200", "ok 503", "ok 200", "ok 200"])
  })

  it("without readiness paths, setReady(false) changes no answer", () => {
    const c = makeSmallCluster({ webPods: 1 })
    c.web[0]!.server.setReady(false)
    new HttpClient(c.client, c.env, { name: "wget" }).request(`http://${c.web[0]!.ip}/`)
    c.sim.run()
    expect(c.records.ofKind("request")[0]).toMatchObject({ outcome: "ok", status: 200 })
  })
})
