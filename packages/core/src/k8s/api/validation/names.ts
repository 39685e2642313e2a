/**
 * Name and value formats, with the exact messages of
 * staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go. Each function returns a list of
 * messages, empty when the value is valid (as upstream's `IsDNS1123Label` etc.).
 */

/** validation.go `RegexError`. */
export const regexError = (msg: string, fmt: string, ...examples: string[]): string => {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`
  let out = `${msg} (e.g. `
  examples.forEach((e, i) => {
    if (i > 0) out += " or "
    out += `'${e}', `
  })
  return `${out}regex used for validation is '${fmt}')`
}

/** validation.go `MaxLenError`. */
export const maxLenError = (length: number): string => `must be no more than ${length} characters`

/** validation.go `InclusiveRangeError`. */
export const inclusiveRangeError = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
export const DNS1123_LABEL_MAX = 63
const dns1123Label = new RegExp(`^${DNS1123_LABEL_FMT}$`)

/** validation.go `IsDNS1123Label`. */
export const isDNS1123Label = (v: string): string[] => {
  const errs: string[] = []
  if (v.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX))
  if (!dns1123Label.test(v)) errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"))
  return errs
}

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
export const DNS1123_SUBDOMAIN_MAX = 253
const dns1123Subdomain = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`)

/** validation.go `IsDNS1123Subdomain`. */
export const isDNS1123Subdomain = (v: string): string[] => {
  const errs: string[] = []
  if (v.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX))
  if (!dns1123Subdomain.test(v)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"))
  return errs
}

const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
const dns1035Label = new RegExp(`^${DNS1035_LABEL_FMT}$`)

/** validation.go `IsDNS1035Label`. */
export const isDNS1035Label = (v: string): string[] => {
  const errs: string[] = []
  if (v.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX))
  if (!dns1035Label.test(v)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"))
  return errs
}

const QUALIFIED_NAME_CHAR_FMT = "[A-Za-z0-9]"
const QUALIFIED_NAME_EXT_CHAR_FMT = "[-A-Za-z0-9_.]"
const QUALIFIED_NAME_FMT = `(${QUALIFIED_NAME_CHAR_FMT}${QUALIFIED_NAME_EXT_CHAR_FMT}*)?${QUALIFIED_NAME_CHAR_FMT}`
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
const QUALIFIED_NAME_MAX = 63
const qualifiedName = new RegExp(`^${QUALIFIED_NAME_FMT}$`)

/** validation.go `IsQualifiedName`: an optional DNS-1123 subdomain prefix, a slash, and a name part. */
export const isQualifiedName = (v: string): string[] => {
  const errs: string[] = []
  const parts = v.split("/")
  let name: string
  if (parts.length === 1) {
    name = parts[0] as string
  } else if (parts.length === 2) {
    const prefix = parts[0] as string
    name = parts[1] as string
    if (prefix.length === 0) errs.push(`prefix part ${"must be non-empty"}`)
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`)
  } else {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]
  }
  if (name.length === 0) errs.push("name part must be non-empty")
  else if (name.length > QUALIFIED_NAME_MAX) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`)
  if (!qualifiedName.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`)
  return errs
}

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
const labelValue = new RegExp(`^${LABEL_VALUE_FMT}$`)

/** validation.go `IsValidLabelValue`. */
export const isValidLabelValue = (v: string): string[] => {
  const errs: string[] = []
  if (v.length > 63) errs.push(maxLenError(63))
  if (!labelValue.test(v)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
  return errs
}

/** validation.go `IsValidPortNum`. */
export const isValidPortNum = (port: number): string[] => (port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)])

const portNameCharset = /^[-a-z0-9]+$/
const portNameOneLetter = /[a-z]/

/** validation.go `IsValidPortName`: an IANA_SVC_NAME (RFC 6335). */
export const isValidPortName = (port: string): string[] => {
  const errs: string[] = []
  if (port.length > 15) errs.push(maxLenError(15))
  if (!portNameCharset.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
  if (!portNameOneLetter.test(port)) errs.push("must contain at least one letter (a-z)")
  if (port.includes("--")) errs.push("must not contain consecutive hyphens")
  if (port.length > 0 && (port.startsWith("-") || port.endsWith("-"))) errs.push("must not begin or end with a hyphen")
  return errs
}

/** A dotted-quad IPv4 address without leading zeros (Go's netip parser rejects them). */
export const isIPv4 = (v: string): boolean => {
  const parts = v.split(".")
  if (parts.length !== 4) return false
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return false
  }
  return true
}

/** A textual IPv6 address (RFC 4291 forms, including an embedded IPv4 tail). */
export const isIPv6 = (v: string): boolean => {
  if (!v.includes(":") || v.includes(":::")) return false
  let body = v
  let groupsNeeded = 8
  const lastColon = v.lastIndexOf(":")
  const tail = v.slice(lastColon + 1)
  if (tail.includes(".")) {
    if (!isIPv4(tail)) return false
    body = v.slice(0, lastColon + 1) + "0"
    groupsNeeded = 7
  }
  const halves = body.split("::")
  if (halves.length > 2) return false
  const groups = (s: string) => (s === "" ? [] : s.split(":"))
  const all = halves.flatMap(groups)
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false
  return halves.length === 2 ? all.length < groupsNeeded : all.length === groupsNeeded
}

/** validation/ip.go `IsValidIP` message. */
export const isValidIP = (v: string): string[] =>
  isIPv4(v) || isIPv6(v) ? [] : ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]

/** validation/ip.go `IsValidCIDR` message. */
export const isValidCIDR = (v: string): string[] => {
  const slash = v.indexOf("/")
  if (slash > 0) {
    const ip = v.slice(0, slash)
    const bits = v.slice(slash + 1)
    const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : -1
    if (max > 0 && /^(0|[1-9][0-9]{0,2})$/.test(bits) && Number(bits) <= max) return []
  }
  return ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"]
}
