// The client: reads one JSON command per stdin line, answers one JSON line on stdout. Every request is an
// HTTP/1.1 GET on a raw TCP socket (so errors are the kernel's: ECONNREFUSED, EHOSTUNREACH, … or TIMEOUT).
//   {"op":"requests","host","port","sources":[ip…],"count","timeoutMs"}  count sequential requests, each on a
//        new connection (like wget), source i % sources.length  → {"results":[{source,pod,peer}|{source,error}]}
//   {"op":"open","id","host","port","source","timeoutMs"}  connect and request, keep the connection → {"result"}
//   {"op":"again","id","timeoutMs"}  request again on held connection id                               → {"result"}
//   {"op":"close","id"}                                                                                 → {"closed"}
//   {"op":"udp","host","port","sport","timeoutMs"}  one datagram from UDP port sport, the reply awaited   → {"result"}
// Usage (inside the client's namespace): node client-agent.mjs
import dgram from "node:dgram"
import net from "node:net"
import readline from "node:readline"

const held = new Map()

const exchange = (socket, connecting, source, keepAlive, timeoutMs) =>
  new Promise((resolve) => {
    let buffer = Buffer.alloc(0)
    let done = false
    const started = process.hrtime.bigint()
    const finish = (result) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.removeListener("data", onData)
      socket.removeListener("error", onError)
      socket.removeListener("close", onClose)
      if (!keepAlive || "error" in result) socket.destroy()
      resolve({ source, ...result, ms: Number(process.hrtime.bigint() - started) / 1e6 })
    }
    const timer = setTimeout(() => finish({ error: "TIMEOUT" }), timeoutMs)
    const onError = (e) => finish({ error: e.code ?? e.message })
    const onClose = () => finish({ error: "CLOSED" })
    const onData = (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      const end = buffer.indexOf("\r\n\r\n")
      if (end < 0) return
      const head = buffer.subarray(0, end).toString("latin1")
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head)
      const length = m === null ? 0 : Number(m[1])
      if (buffer.length < end + 4 + length) return
      const body = buffer.subarray(end + 4, end + 4 + length).toString("utf8")
      try {
        const parsed = JSON.parse(body)
        finish({ pod: parsed.pod, peer: parsed.peer })
      } catch {
        finish({ error: `BAD_RESPONSE ${JSON.stringify(head.split("\r\n")[0])}` })
      }
    }
    socket.on("data", onData)
    socket.on("error", onError)
    socket.on("close", onClose)
    const send = () =>
      socket.write(`GET / HTTP/1.1\r\nHost: conformance\r\nConnection: ${keepAlive ? "keep-alive" : "close"}\r\n\r\n`)
    if (connecting) socket.once("connect", send)
    else send()
  })

const connect = (host, port, source) =>
  net.connect({ host, port, ...(source ? { localAddress: source } : {}) })

const handle = async (cmd) => {
  switch (cmd.op) {
    case "requests": {
      const results = []
      for (let i = 0; i < cmd.count; i++) {
        const source = cmd.sources.length === 0 ? null : cmd.sources[i % cmd.sources.length]
        results.push(await exchange(connect(cmd.host, cmd.port, source), true, source, false, cmd.timeoutMs))
      }
      return { results }
    }
    case "open": {
      const socket = connect(cmd.host, cmd.port, cmd.source)
      held.set(cmd.id, socket)
      return { result: await exchange(socket, true, cmd.source ?? null, true, cmd.timeoutMs) }
    }
    case "again": {
      const socket = held.get(cmd.id)
      if (socket === undefined) return { error: `no held connection ${cmd.id}` }
      return { result: await exchange(socket, false, null, true, cmd.timeoutMs) }
    }
    case "udp": {
      const socket = dgram.createSocket("udp4")
      const result = await new Promise((resolve) => {
        const started = process.hrtime.bigint()
        const finish = (r) => {
          clearTimeout(timer)
          socket.close()
          resolve({ source: null, ...r, ms: Number(process.hrtime.bigint() - started) / 1e6 })
        }
        const timer = setTimeout(() => finish({ error: "TIMEOUT" }), cmd.timeoutMs)
        socket.on("error", (e) => finish({ error: e.code ?? e.message }))
        socket.on("message", (msg) => {
          try {
            const parsed = JSON.parse(msg.toString("utf8"))
            finish({ pod: parsed.pod, peer: parsed.peer })
          } catch {
            finish({ error: "BAD_RESPONSE" })
          }
        })
        socket.bind(cmd.sport, () => socket.send("ping", cmd.port, cmd.host))
      })
      return { result }
    }
    case "close": {
      held.get(cmd.id)?.destroy()
      held.delete(cmd.id)
      return { closed: cmd.id }
    }
    default:
      return { error: `unknown op ${JSON.stringify(cmd.op)}` }
  }
}

// Commands run one at a time, in order, so answers come back in the order asked.
let queue = Promise.resolve()
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  queue = queue.then(async () => {
    let answer
    try {
      answer = await handle(JSON.parse(line))
    } catch (e) {
      answer = { error: String(e?.message ?? e) }
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`)
  })
})
process.stdout.write("ready\n")
