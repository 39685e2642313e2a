/**
 * Domain-name text helpers. Names are compared case-insensitively (RFC 4343; the Kubernetes DNS
 * specification: "all comparisons between query data and Kubernetes data are case-insensitive") and answers
 * keep the case of the question (CoreDNS `plugin/kubernetes/handler.go` keeps the query's zone case).
 */

/** The name with exactly one trailing dot (miekg/dns `Fqdn`); the root stays ".". */
export const fqdn = (name: string): string => (name.endsWith(".") ? name : `${name}.`)

/** Lower-cased FQDN: the key under which names are compared. */
export const canonicalName = (name: string): string => fqdn(name).toLowerCase()

/** Labels of a name, without the empty root label ("a.b." → ["a", "b"]; "." → []). */
export const labelsOf = (name: string): string[] => {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name
  return trimmed === "" ? [] : trimmed.split(".")
}

/** Whether `name` equals `zone` or lies beneath it (miekg/dns `IsSubDomain(zone, name)`), both FQDN. */
export const isSubdomain = (zone: string, name: string): boolean => {
  const z = canonicalName(zone)
  const n = canonicalName(name)
  return z === "." || n === z || n.endsWith(`.${z}`)
}

/** Number of '.' characters in a name as typed (the resolvers' `dots` count, trailing dot included). */
export const countDots = (name: string): number => {
  let dots = 0
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 46) dots++
  return dots
}
