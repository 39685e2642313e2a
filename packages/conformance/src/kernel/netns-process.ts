import { spawn, type ChildProcess } from "node:child_process"
import { createInterface } from "node:readline"
import type { NetnsRegistry } from "./netns-registry"

/**
 * A long-lived process inside a network namespace speaking line-delimited JSON: the pod servers and the
 * client agents. Answers are matched to requests in order (the scripts answer one command at a time).
 */
export class NetnsProcess {
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = []
  private readonly early: Array<string> = []
  private stderr = ""
  private exited: Error | null = null

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const w = this.waiting.shift()
      if (w === undefined) this.early.push(line)
      else w.resolve(line)
    })
    child.stderr!.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString("utf8")).slice(-4000)
    })
    child.on("exit", (code, signal) => {
      this.exited = new Error(`${label} exited (${signal ?? `code ${code}`}): ${this.stderr.trim()}`)
      for (const w of this.waiting.splice(0)) w.reject(this.exited)
    })
    child.on("error", (e) => {
      this.exited = new Error(`${label} could not start: ${e.message}`)
      for (const w of this.waiting.splice(0)) w.reject(this.exited)
    })
  }

  /** Starts `node script ...args` in namespace `ns` and waits for its first line to equal `readyLine`. */
  static async start(
    registry: NetnsRegistry,
    ns: string,
    label: string,
    script: string,
    args: ReadonlyArray<string>,
    readyLine: string,
    timeoutMs = 30_000,
  ): Promise<NetnsProcess> {
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, script, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
    })
    registry.track(child)
    const p = new NetnsProcess(label, child)
    const first = await p.nextLine(timeoutMs)
    if (first !== readyLine) throw new Error(`${label}: expected "${readyLine}", got "${first}"`)
    return p
  }

  private nextLine(timeoutMs: number): Promise<string> {
    const early = this.early.shift()
    if (early !== undefined) return Promise.resolve(early)
    if (this.exited !== null) return Promise.reject(this.exited)
    return new Promise((resolve, reject) => {
      const entry = {
        resolve: (line: string) => {
          clearTimeout(timer)
          resolve(line)
        },
        reject: (e: Error) => {
          clearTimeout(timer)
          reject(e)
        },
      }
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(entry)
        if (i >= 0) this.waiting.splice(i, 1)
        reject(new Error(`${label(this)}: no answer within ${timeoutMs} ms; stderr: ${this.stderr.trim()}`))
      }, timeoutMs)
      this.waiting.push(entry)
    })
  }

  /** Sends one JSON command and returns the parsed JSON answer. */
  async ask(command: unknown, timeoutMs: number): Promise<unknown> {
    if (this.exited !== null) throw this.exited
    this.child.stdin!.write(`${JSON.stringify(command)}\n`)
    const line = await this.nextLine(timeoutMs)
    try {
      return JSON.parse(line) as unknown
    } catch {
      throw new Error(`${this.label}: answer is not JSON: ${line}`)
    }
  }

  stop(): void {
    if (this.exited === null) this.child.kill("SIGKILL")
  }
}

const label = (p: NetnsProcess): string => p.label
