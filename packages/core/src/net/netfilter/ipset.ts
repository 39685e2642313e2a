import { formatIpv4, tryParseIpv4, type Ipv4 } from "../addr/index"
import { prefixMask } from "../addr/index"

/**
 * The ipset types kube-proxy's IPVS mode creates (pkg/proxy/ipvs/ipset.go): member keys of one to three
 * dimensions, each an address, a protocol:port or a network.
 */
export type IpSetType = "hash:ip" | "hash:net" | "hash:ip,port" | "hash:ip,port,ip" | "hash:ip,port,net" | "bitmap:port"
export const IPSET_TYPES: ReadonlyArray<IpSetType> = ["hash:ip", "hash:net", "hash:ip,port", "hash:ip,port,ip", "hash:ip,port,net", "bitmap:port"]

/** An ipset command the kernel refuses (ipset(8)'s error text where it has one). */
export class IpSetError extends Error {
  override readonly name = "IpSetError"
}

// ipset's protocol names for the port dimension (lib/parse.c ipset_parse_proto_port; IPPROTO numbers).
const PROTOS: ReadonlyMap<string, number> = new Map([["tcp", 6], ["udp", 17], ["sctp", 132]])
const PROTO_NAMES: ReadonlyMap<number, string> = new Map([[6, "tcp"], [17, "udp"], [132, "sctp"]])

interface Member {
  readonly ip: Ipv4
  readonly proto: number
  readonly port: number
  /** Third dimension: an address (prefix 32) or a network. */
  readonly ip2: Ipv4
  readonly prefix2: number
}

const key2 = (ip: Ipv4, proto: number, port: number): number => (ip * 256 + proto) * 65536 + port

/**
 * One ipset (net/netfilter/ipset/ip_set_hash_*.c, ip_set_bitmap_port.c). Lookups allocate nothing: members
 * are indexed by a number built from address, protocol and port.
 */
export class IpSet {
  private readonly members = new Map<string, Member>()
  /** ip·proto·port (or the port alone for bitmap:port, the address for hash:ip) → third dimensions. */
  private readonly index = new Map<number, Member[]>()
  /** hash:net: the networks, by prefix length (the kernel tries each length in use, longest first). */
  private readonly prefixes: number[] = []

  constructor(
    readonly name: string,
    readonly type: IpSetType,
    /** The `comment` ipset(8) shows (kube-proxy's "Kubernetes service cluster ip + port for masquerade purpose"). */
    readonly comment: string = "",
  ) {}

  get size(): number {
    return this.members.size
  }

  /** Parses an entry as `ipset add NAME ENTRY` takes it: "10.96.0.1,tcp:443", "10.244.0.5,tcp:80,10.244.0.5", "30080". */
  parseEntry(text: string): Member {
    const parts = text.split(",")
    const dims = this.type.slice(this.type.indexOf(":") + 1).split(",")
    if (parts.length !== dims.length) throw new IpSetError(`${this.name}: entry "${text}": expected ${dims.join(",")}`)
    let ip = 0, proto = 0, port = 0, ip2 = 0, prefix2 = 32
    for (let i = 0; i < dims.length; i++) {
      const p = parts[i]!
      const d = dims[i]!
      if (d === "port") {
        if (this.type === "bitmap:port") port = parsePort(this.name, text, p)
        else {
          // ipset_parse_proto_port: "proto:port", the protocol tcp when left out.
          const colon = p.indexOf(":")
          const pname = colon < 0 ? "tcp" : p.slice(0, colon)
          const pr = PROTOS.get(pname)
          if (pr === undefined) throw new IpSetError(`${this.name}: entry "${text}": unknown protocol "${pname}" (expected tcp, udp or sctp)`)
          proto = pr
          port = parsePort(this.name, text, colon < 0 ? p : p.slice(colon + 1))
        }
      } else {
        const slash = p.indexOf("/")
        const addr = tryParseIpv4(slash < 0 ? p : p.slice(0, slash))
        const len = slash < 0 ? 32 : Number(p.slice(slash + 1))
        if (addr === null || !Number.isInteger(len) || len < 1 || len > 32 || (d === "ip" && slash >= 0)) {
          throw new IpSetError(`${this.name}: entry "${text}": "${p}" is not a valid ${d === "net" ? "IPv4 network" : "IPv4 address"}`)
        }
        const masked = (addr & prefixMask(len)) >>> 0
        if (i === 0) {
          ip = masked
          if (d === "net") prefix2 = len
        } else {
          ip2 = masked
          prefix2 = len
        }
      }
    }
    return { ip, proto, port, ip2, prefix2 }
  }

  /** The canonical text of a member, as `ipset save`/`list` print it. */
  entryText(m: Member): string {
    const port = `${PROTO_NAMES.get(m.proto) ?? "tcp"}:${m.port}`
    switch (this.type) {
      case "bitmap:port":
        return String(m.port)
      case "hash:ip":
        return formatIpv4(m.ip)
      case "hash:net":
        return m.prefix2 === 32 ? formatIpv4(m.ip) : `${formatIpv4(m.ip)}/${m.prefix2}`
      case "hash:ip,port":
        return `${formatIpv4(m.ip)},${port}`
      case "hash:ip,port,ip":
        return `${formatIpv4(m.ip)},${port},${formatIpv4(m.ip2)}`
      case "hash:ip,port,net":
        return `${formatIpv4(m.ip)},${port},${formatIpv4(m.ip2)}/${m.prefix2}`
    }
  }

  /** `ipset add` (-exist: no error if present). Returns false if it was already there. */
  add(text: string, exist = false): boolean {
    const m = this.parseEntry(text)
    const canon = this.entryText(m)
    if (this.members.has(canon)) {
      if (!exist) throw new IpSetError(`Element cannot be added to the set: it's already added`)
      return false
    }
    this.members.set(canon, m)
    const k = this.indexKey(m)
    const list = this.index.get(k)
    if (list === undefined) this.index.set(k, [m])
    else list.push(m)
    if (this.type === "hash:net" && !this.prefixes.includes(m.prefix2)) {
      this.prefixes.push(m.prefix2)
      this.prefixes.sort((a, b) => b - a)
    }
    return true
  }

  /** `ipset del` (-exist: no error if absent). */
  del(text: string, exist = false): boolean {
    const m = this.parseEntry(text)
    const canon = this.entryText(m)
    const held = this.members.get(canon)
    if (held === undefined) {
      if (!exist) throw new IpSetError(`Element cannot be deleted from the set: it's not added`)
      return false
    }
    this.members.delete(canon)
    const k = this.indexKey(held)
    const list = this.index.get(k) as Member[]
    list.splice(list.indexOf(held), 1)
    if (list.length === 0) this.index.delete(k)
    return true
  }

  has(text: string): boolean {
    return this.members.has(this.entryText(this.parseEntry(text)))
  }

  /** `ipset flush`. */
  flush(): void {
    this.members.clear()
    this.index.clear()
    this.prefixes.length = 0
  }

  /** Members' canonical texts, sorted as `ipset save` of kube-proxy's sets reads most easily (by text). */
  entries(): string[] {
    return [...this.members.keys()].sort()
  }

  /**
   * xt_set.c set_match_v4 → ip_set_test: `srcBits` bit i set means dimension i takes the packet's source
   * (else its destination); a rule giving fewer dimensions than the set has never matches.
   */
  matchPacket(proto: number, src: Ipv4, dst: Ipv4, sport: number, dport: number, srcBits: number, nflags: number): boolean {
    const dims = this.type === "hash:ip" || this.type === "hash:net" || this.type === "bitmap:port" ? 1 : this.type === "hash:ip,port" ? 2 : 3
    if (nflags < dims) return false
    if (this.type === "bitmap:port") return this.test(proto, 0, (srcBits & 1) !== 0 ? sport : dport, 0)
    return this.test(proto, (srcBits & 1) !== 0 ? src : dst, (srcBits & 2) !== 0 ? sport : dport, (srcBits & 4) !== 0 ? src : dst)
  }

  /**
   * The kernel's test for a packet (xt_set.c set_match_v4 → ip_set_test with the rule's src/dst flags):
   * `a`, `b`, `c` are the packet's values for each dimension, chosen by the flags.
   */
  test(proto: number, ipA: Ipv4, portB: number, ipC: Ipv4): boolean {
    switch (this.type) {
      case "bitmap:port":
        // ip_set_bitmap_port.c: TCP, UDP, SCTP and UDPLITE ports; other protocols never match.
        return (proto === 6 || proto === 17 || proto === 132) && this.index.has(portB)
      case "hash:ip":
        return this.index.has(ipA)
      case "hash:net":
        for (const len of this.prefixes) if (this.index.has(((ipA & prefixMask(len)) >>> 0) * 64 + len)) return true
        return false
      case "hash:ip,port":
        return this.index.has(key2(ipA, proto, portB))
      case "hash:ip,port,ip":
      case "hash:ip,port,net": {
        const list = this.index.get(key2(ipA, proto, portB))
        if (list === undefined) return false
        for (const m of list) if (((ipC & prefixMask(m.prefix2)) >>> 0) === m.ip2) return true
        return false
      }
    }
  }

  private indexKey(m: Member): number {
    switch (this.type) {
      case "bitmap:port":
        return m.port
      case "hash:ip":
        return m.ip
      case "hash:net":
        return m.ip * 64 + m.prefix2
      default:
        return key2(m.ip, m.proto, m.port)
    }
  }
}

const parsePort = (set: string, entry: string, p: string): number => {
  const n = /^\d+$/.test(p) ? Number(p) : Number.NaN
  if (!(n >= 0 && n <= 65535)) throw new IpSetError(`${set}: entry "${entry}": "${p}" is not a port number (0-65535)`)
  return n
}

/** A network namespace's ipsets (`ipset create/destroy/list`). */
export class IpSets {
  private readonly sets = new Map<string, IpSet>()

  /** `ipset create NAME TYPE` (-exist: keep an existing set of the same type). */
  create(name: string, type: IpSetType, comment = "", exist = false): IpSet {
    // ipset(8): set names are at most 31 characters (IPSET_MAXNAMELEN 32 with the NUL).
    if (name === "" || name.length > 31) throw new IpSetError(`ipset name "${name}": expected 1 to 31 characters`)
    const old = this.sets.get(name)
    if (old !== undefined) {
      if (exist && old.type === type) return old
      throw new IpSetError(`Set cannot be created: set with the same name already exists`)
    }
    const s = new IpSet(name, type, comment)
    this.sets.set(name, s)
    return s
  }

  get(name: string): IpSet | undefined {
    return this.sets.get(name)
  }

  /**
   * `ipset destroy`. The kernel refuses a set a rule still uses (IPSET_ERR_REFERENCED, "Set cannot be destroyed:
   * it is in use by a kernel component"); this does not check, as nothing in kubesim destroys a set in use (a
   * restore checks set names only in the rules it writes, as the kernel resolves them only then).
   */
  destroy(name: string): void {
    if (!this.sets.delete(name)) throw new IpSetError(`The set with the given name does not exist`)
  }

  /** Sets in creation order. */
  all(): IterableIterator<IpSet> {
    return this.sets.values()
  }
}
