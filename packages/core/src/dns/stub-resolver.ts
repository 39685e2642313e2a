import type { DnsCache } from "./dns-cache"
import { GlibcLookup } from "./glibc-lookup"
import type { AddressFamily, StubLookup } from "./lookup-types"
import { MuslLookup } from "./musl-lookup"
import type { ResolvConf, ResolverFlavour } from "./resolv-conf"

/**
 * Start a getaddrinfo() lookup of `name` as a pod's libc would run it against its resolv.conf: `musl`
 * (busybox, Alpine) or `glibc` (Debian, Ubuntu, distroless base). `cache` is an optional per-pod cache
 * (neither libc has one).
 */
export const startLookup = (flavour: ResolverFlavour, conf: ResolvConf, name: string, family: AddressFamily = "unspec", cache?: DnsCache): StubLookup =>
  flavour === "musl" ? new MuslLookup(conf, name, family, cache) : new GlibcLookup(conf, name, family, cache)
