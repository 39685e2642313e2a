// The public face of @kubesim/core. The kernel is exported flat; every other module as a namespace named
// for its place in the layers (DESIGN.md), so names that upstream uses in several packages (Endpoint,
// Protocol, ServiceType) stay unambiguous: `import { api, net, proxy } from "@kubesim/core"`.
export * from "./sim/index"
export * as records from "./records/index"
export * as net from "./net/index"
export * as dns from "./dns/index"
export * as api from "./k8s/api/index"
export * as store from "./k8s/store/index"
export * as views from "./k8s/views/index"
export * as proxy from "./k8s/proxy/index"
export * as envvars from "./k8s/envvars/index"
export * as apps from "./apps/index"
export * as cluster from "./k8s/cluster/index"
export * as controllers from "./k8s/controllers/index"
export * as kubelet from "./k8s/kubelet/index"
export * as nodeProxy from "./k8s/node-proxy/index"
