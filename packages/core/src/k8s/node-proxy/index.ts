export { NodeProxyAgent, type NodeProxyAgentOptions } from "./node-proxy-agent"
export { NodeRuleset } from "./node-ruleset"
export { endpointShares, servicePortText } from "./endpoint-shares"
export { setupNodeConntrack, DEFAULT_NODE_CPUS, type NodeConntrackOptions } from "./node-conntrack"
