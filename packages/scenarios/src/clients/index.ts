export { manifestClientPod, manifestClients } from "./manifest-clients"
export type { ManifestClient, ServiceForClients } from "./manifest-clients"
