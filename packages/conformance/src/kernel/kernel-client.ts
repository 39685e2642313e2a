import { decodeOutcome, type RequestOutcome } from "../traffic/request-outcome"
import type { Target } from "../traffic/traffic-plane"
import type { NetnsProcess } from "./netns-process"


/** A client namespace's agent (client-agent.mjs): sequential requests and held connections, real sockets. */
export class KernelClient {
  constructor(
    readonly name: string,
    private readonly agent: NetnsProcess,
  ) {}

  /** `count` requests, one new TCP connection each, request i from `sources[i % n]` (null: kernel's choice). */
  async requests(
    target: Target,
    sources: ReadonlyArray<string | null>,
    count: number,
    timeoutMs = 2000,
  ): Promise<ReadonlyArray<RequestOutcome>> {
    const answer = (await this.agent.ask(
      { op: "requests", host: target.host, port: target.port, sources, count, timeoutMs },
      count * (timeoutMs + 1000) + 5000,
    )) as { results?: unknown; error?: unknown }
    if (!Array.isArray(answer.results)) throw new Error(`${this.name}: requests failed: ${String(answer.error)}`)
    return answer.results.map((r, i) => decodeOutcome(r, `${this.name} result[${i}]`))
  }

  /** Opens connection `id` (kept alive) from `source` and makes its first request on it. */
  async open(id: string, target: Target, source: string | null, timeoutMs = 2000): Promise<RequestOutcome> {
    return this.single({ op: "open", id, host: target.host, port: target.port, source, timeoutMs }, timeoutMs)
  }

  /** Another request on held connection `id`. */
  async again(id: string, timeoutMs = 2000): Promise<RequestOutcome> {
    return this.single({ op: "again", id, timeoutMs }, timeoutMs)
  }

  /** One UDP datagram from source port `sport` (the same port every time: one conntrack flow); its reply. */
  async udp(target: Target, sport: number, timeoutMs = 2000): Promise<RequestOutcome> {
    return this.single({ op: "udp", host: target.host, port: target.port, sport, timeoutMs }, timeoutMs)
  }

  async close(id: string): Promise<void> {
    await this.agent.ask({ op: "close", id }, 5000)
  }

  private async single(command: object, timeoutMs: number): Promise<RequestOutcome> {
    const answer = (await this.agent.ask(command, timeoutMs + 5000)) as { result?: unknown; error?: unknown }
    if (answer.result === undefined) throw new Error(`${this.name}: ${String(answer.error)}`)
    return decodeOutcome(answer.result, `${this.name} result`)
  }
}
