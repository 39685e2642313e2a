/**
 * Numeric order of IP addresses (10.0.0.9 before 10.0.0.10): IPv4 by its four octets, IPv6 by its eight groups
 * (`::` expanded), IPv4 before IPv6; text that is neither sorts after both, by code units.
 */
export const compareIps = (a: string, b: string): number => {
  const ka = ipKey(a)
  const kb = ipKey(b)
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!
  if (ka.length !== kb.length) return ka.length - kb.length
  return a < b ? -1 : a > b ? 1 : 0
}

const ipKey = (ip: string): number[] => {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip)
  if (v4 !== null) return [0, ...v4.slice(1).map(Number)]
  if (/^[0-9a-fA-F:]+$/.test(ip) && ip.includes(":")) {
    const [head, tail] = ip.split("::") as [string, string | undefined]
    const h = head === "" ? [] : head.split(":")
    const t = tail === undefined || tail === "" ? [] : tail.split(":")
    const groups = tail === undefined ? h : [...h, ...new Array<string>(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t]
    return [1, ...groups.map((g) => parseInt(g, 16))]
  }
  return [2]
}
