import fc from "fast-check"
import { formatIpv4 } from "../addr/index"
import { kubeProxyProbability } from "./statistic"
import { quoteWord } from "./tokenize"

/** Random rule texts in restore form (the words kube-proxy and people write), for round-trip tests. */
const ip = fc.integer({ min: 0, max: 0xffffffff }).map(formatIpv4)
const addr = fc.tuple(fc.boolean(), ip, fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined })).map(
  ([inv, a, p]) => `${inv ? "! " : ""}${p === undefined ? a : `${a}/${p}`}`,
)
const port = fc.integer({ min: 1, max: 65535 })
const commentText = fc.string({ unit: fc.constantFrom(..."ab/:-_ 09\"\\'>.".split("")), minLength: 1, maxLength: 12 })
const hex = (n: number): string => `0x${n.toString(16)}`
const mark = fc.integer({ min: 0, max: 0xffffffff })

type Seg = string
const segs = (proto: "tcp" | "udp" | "sctp" | "icmp" | null): fc.Arbitrary<Seg[]> => {
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null })
  return fc
    .record({
      src: opt(addr.map((a) => (a.startsWith("!") ? `! -s ${a.slice(2)}` : `-s ${a}`))),
      dst: opt(addr.map((a) => (a.startsWith("!") ? `! -d ${a.slice(2)}` : `-d ${a}`))),
      iin: opt(fc.constantFrom("-i eth0", "! -i lo", "-i veth+")),
      comment: opt(commentText.map((c) => `-m comment --comment ${quoteWord(c)}`)),
      ports:
        proto === "tcp" || proto === "udp" || proto === "sctp"
          ? opt(
              fc
                .tuple(fc.option(port, { nil: null }), fc.option(fc.tuple(fc.boolean(), port, fc.option(port, { nil: null })), { nil: null }))
                .map(([s, d]) => {
                  const parts = [`-m ${proto}`]
                  if (s !== null) parts.push(`--sport ${s}`)
                  if (d !== null) parts.push(`${d[0] ? "! " : ""}--dport ${d[2] === null ? d[1] : `${Math.min(d[1], d[2])}:${Math.max(d[1], d[2])}`}`)
                  return parts.join(" ")
                }),
            )
          : fc.constant(null),
      statistic: opt(
        fc.oneof(
          fc.integer({ min: 1, max: 1000 }).map((n) => `-m statistic --mode random --probability ${kubeProxyProbability(n)}`),
          fc.tuple(fc.integer({ min: 1, max: 10 }), fc.nat(9)).map(([n, p]) => `-m statistic --mode nth --every ${n} --packet ${p % n}`),
        ),
      ),
      recent: opt(
        fc.oneof(
          fc.constantFrom("KUBE-SEP-AAAA", "KUBE-SEP-BBBB").map((n) => `-m recent --name ${n} --set`),
          fc.tuple(fc.constantFrom("KUBE-SEP-AAAA", "KUBE-SEP-BBBB"), fc.integer({ min: 1, max: 86400 }), fc.boolean(), fc.boolean()).map(
            ([n, s, reap, upd]) => `-m recent --name ${n} ${upd ? "--update" : "--rcheck"} --seconds ${s}${reap ? " --reap" : ""}`,
          ),
        ),
      ),
      mark: opt(fc.tuple(fc.boolean(), mark, fc.option(mark, { nil: null })).map(([inv, m, k]) => `-m mark ${inv ? "! " : ""}--mark ${hex(m)}${k === null ? "" : `/${hex(k)}`}`)),
      addrtype: opt(fc.constantFrom("-m addrtype --dst-type LOCAL", "-m addrtype ! --src-type LOCAL", "-m addrtype --src-type LOCAL --dst-type UNICAST,MULTICAST")),
      conntrack: opt(fc.constantFrom("-m conntrack --ctstate NEW", "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT", "-m conntrack --ctstate INVALID")),
      unknown: opt(fc.constantFrom("-m nfacct --nfacct-name localhost_nps_accepted_pkts", "-m physdev --physdev-in eth0")),
    })
    .map((r) => [
      ...(proto === null ? [] : [`-p ${proto}`]),
      ...Object.values(r).filter((x): x is string => x !== null),
    ])
}

const target = fc.constantFrom(
  "-j ACCEPT",
  "-j DROP",
  "-j RETURN",
  "-j REJECT",
  "-j REJECT --reject-with icmp-host-prohibited",
  "-j KUBE-B",
  "-g KUBE-B",
  "-j DNAT --to-destination 10.180.0.1:80",
  "-j SNAT --to-source 192.168.0.2 --random-fully",
  "-j MASQUERADE --random-fully",
  "-j MARK --or-mark 0x4000",
  "-j MARK --xor-mark 0x4000",
  "-j MARK --set-xmark 0x4000/0xffff",
  "-j MARK --and-mark 0xbfff",
  "-j MARK --set-mark 0x1/0x3",
  "-j LOG --log-prefix hello",
  "",
)

/** One rule's restore text: core options, matches and target in a random order (target last). */
export const ruleText: fc.Arbitrary<string> = fc
  .constantFrom<"tcp" | "udp" | "sctp" | "icmp" | null>("tcp", "udp", "sctp", "icmp", null)
  .chain((proto) => fc.tuple(segs(proto).chain((s) => fc.shuffledSubarray(s, { minLength: s.length })), target))
  .map(([s, t]) => [...s, t].filter((x) => x !== "").join(" "))
