import { apps, type cluster, dns, type records } from "@kubesim/core"
import { UserInputError } from "../errors"
import { wgetError } from "./pod-logs"

/**
 * The busybox commands `kubesim exec` runs besides the core's (env, hostname, nslookup, cat /etc/resolv.conf):
 * what people type into `kubectl exec busybox -- …` to debug a Service.
 */

/**
 * `cat /etc/hosts`: the kubelet-managed hosts file (pkg/kubelet/kubelet_pods.go `managedHostsFileContent`,
 * `hostsEntriesFromHostAliases`): the fixed localhost lines, then the pod's IP with its FQDN when it has a
 * hostname and subdomain (`<hostname>.<subdomain>.<ns>.svc.<domain>`) and its hostname.
 */
export const etcHosts = (podIp: string, hostname: string, subdomain: string | undefined, namespace: string, clusterDomain = "cluster.local"): string => {
  const lines = [
    "# Kubernetes-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
    subdomain === undefined || subdomain === "" ? `${podIp}\t${hostname}` : `${podIp}\t${hostname}.${subdomain}.${namespace}.svc.${clusterDomain}\t${hostname}`,
  ]
  return `${lines.join("\n")}\n`
}

/**
 * `getent hosts NAME` (glibc's getent.c `hosts_keys`: `%-15s %s` — the address, then the canonical name): the
 * pod's resolver (its resolv.conf, search list and ndots) against the cluster's CoreDNS, IPv4. Exit 2 when the
 * name does not resolve, as getent does for a key not found.
 */
export const getentHosts = (c: cluster.Cluster, conf: dns.ResolvConf, name: string): { readonly text: string; readonly code: number } => {
  const lookup = dns.startLookup("glibc", conf, name, "inet")
  const r = dns.resolveSync(lookup, (s) => c.coredns.answer({ name: s.query.name, qtype: s.query.qtype }))
  if (r.result.status !== "ok" || r.result.addresses.length === 0) return { text: "", code: 2 }
  const canonical = r.result.answeredName.replace(/\.$/, "")
  return { text: r.result.addresses.map((a) => `${a.padEnd(15)} ${canonical}\n`).join(""), code: 0 }
}

/** `wget -qO- URL`, `wget -q -O - URL`, `wget -O- -q URL`: the URL, or undefined when the arguments are not that. */
export const wgetUrl = (args: ReadonlyArray<string>): string | undefined => {
  const rest = [...args]
  let quiet = false
  let stdout = false
  let url: string | undefined
  while (rest.length > 0) {
    const a = rest.shift() as string
    if (a === "-q") quiet = true
    else if (a === "-qO-" || a === "-qO" && rest[0] === "-") {
      if (a === "-qO") rest.shift()
      quiet = true
      stdout = true
    } else if (a === "-O-" || (a === "-O" && rest[0] === "-")) {
      if (a === "-O") rest.shift()
      stdout = true
    } else if (!a.startsWith("-") && url === undefined) url = a
    else return undefined
  }
  return quiet && stdout && url !== undefined ? url : undefined
}

/** How long `exec … wget` lets its request run in simulated time (busybox wget's default `-T` is 900 s; a cap). */
const WGET_LIMIT = 60e9

/**
 * Runs one busybox wget from the pod over the simulated data plane, from the cluster's current time: its resolver
 * asks CoreDNS through the pod's resolv.conf, the connection goes through the node's iptables rules and conntrack
 * to whichever endpoint they pick. Prints what `wget -q -O -` prints: the page (the serving pod's hostname, the
 * seed's index.html) on success, wget's error otherwise (exit 1).
 */
export const wgetFromPod = (c: cluster.Cluster, namespace: string, pod: string, url: string, conf: dns.ResolvConf): { readonly text: string; readonly err: string; readonly code: number } => {
  const host = c.podHost(pod, namespace)
  if (host === null) throw new UserInputError({ message: `unable to upgrade connection: container not found ("${pod}")` })
  const resolver = new apps.StubResolverDriver(host, c.env, { client: `exec/${pod}`, conf, flavour: "musl" })
  const client = new apps.HttpClient(host, c.env, { name: `exec/${pod}`, resolver, connectTimeout: WGET_LIMIT, responseTimeout: WGET_LIMIT })
  let done: records.RequestRecord | undefined
  client.request(url, (r) => (done = r))
  const limit = c.sim.now + WGET_LIMIT
  while (done === undefined && c.sim.now < limit) c.runUntil(Math.min(limit, c.sim.now + 100_000_000))
  if (done === undefined) return { text: "", err: "wget: download timed out\n", code: 1 }
  const r: records.RequestRecord = done
  if (r.outcome === "ok") return { text: `${r.pod ?? ""}\n`, err: "", code: 0 }
  const err = wgetError(r)
  return { text: "", err: `${err}\n`, code: 1 }
}
