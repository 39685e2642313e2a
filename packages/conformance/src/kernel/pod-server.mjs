// The "pod": an HTTP server answering every request with its pod name and the peer address it saw, so the
// harness can tell which endpoint served and whether the client's source IP survived (NodePort Local/Cluster);
// on the same UDP port, every datagram is answered with the same JSON.
// Usage (inside the pod's namespace): node pod-server.mjs <pod-name> <port>
import dgram from "node:dgram"
import http from "node:http"

const [name, portText] = process.argv.slice(2)
const port = Number(portText)
if (name === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write("usage: node pod-server.mjs <pod-name> <port>\n")
  process.exit(2)
}
const server = http.createServer((req, res) => {
  const body = JSON.stringify({ pod: name, peer: req.socket.remoteAddress ?? "" })
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
})
// Held connections (the conntrack case) must outlive a rule change and a pause.
server.keepAliveTimeout = 600_000
server.on("error", (e) => {
  process.stderr.write(`pod-server ${name}: ${e.message}\n`)
  process.exit(1)
})
const udp = dgram.createSocket("udp4")
udp.on("message", (_msg, from) => udp.send(JSON.stringify({ pod: name, peer: from.address }), from.port, from.address))
udp.on("error", (e) => {
  process.stderr.write(`pod-server ${name} (udp): ${e.message}\n`)
  process.exit(1)
})
udp.bind(port, "0.0.0.0", () => server.listen(port, "0.0.0.0", () => process.stdout.write("listening\n")))
