export { AddressParseError } from "./errors"
export { type Ipv4, parseIpv4, tryParseIpv4, formatIpv4, isIpv4 } from "./ipv4"
export {
  type Cidr,
  cidr,
  prefixMask,
  maskPrefix,
  parseCidr,
  formatCidr,
  cidrContains,
  cidrContainsCidr,
  cidrSize,
  cidrLast,
  cidrAt,
  cidrAddresses,
  cidrHosts,
  cidrSubnet,
} from "./cidr"
export { type IpPort, parseIpPort, formatIpPort, tryParsePort } from "./ip-port"
export { CidrAllocator, AddressExhaustedError } from "./allocator"
