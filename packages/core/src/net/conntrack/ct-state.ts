/**
 * `-m conntrack --ctstate` bits are netfilter's (kernel values, include/uapi/linux/netfilter/xt_conntrack.h);
 * re-exported here so conntrack and the evaluator agree by construction.
 */
export { CT_INVALID, CT_ESTABLISHED, CT_RELATED, CT_NEW, CT_UNTRACKED, CT_SNAT, CT_DNAT } from "../netfilter/index"

/** Conntrack entry status bits (include/uapi/linux/netfilter/nf_conntrack_common.h, enum ip_conntrack_status). */
export const IPS_SEEN_REPLY = 1 << 1
export const IPS_ASSURED = 1 << 2
export const IPS_CONFIRMED = 1 << 3
export const IPS_SRC_NAT = 1 << 4
export const IPS_DST_NAT = 1 << 5
export const IPS_SRC_NAT_DONE = 1 << 7
export const IPS_DST_NAT_DONE = 1 << 8
export const IPS_DYING = 1 << 9
