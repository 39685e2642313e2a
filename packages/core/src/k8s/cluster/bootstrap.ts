import { DEFAULT_NODE_CPUS } from "../node-proxy/index"
import type { ClusterConfig } from "./cluster-config"

/**
 * What a fresh kubeadm cluster holds before the user applies anything, as manifests: the namespaces kubeadm's
 * API server creates, the Node objects (as each kubelet registers them: status.capacity.cpu is the node's CPU count
 * (pkg/kubelet/nodestatus/setters.go MachineInfo: cadvisor's NumCores) and allocatable.cpu the same, kubesim
 * reserving nothing (--kube-reserved/--system-reserved empty by default); pods is the kubelet's maxPods, 110 by
 * default; memory and the other resources are not modelled), the `kubernetes` Service with its
 * EndpointSlice (pkg/controlplane/reconcilers: 10.96.0.1:443 → API server :6443), and kubeadm's CoreDNS addon
 * (cmd/kubeadm/app/phases/addons/dns/manifests.go: Deployment `coredns` with `k8s-app: kube-dns`, readiness on the
 * `ready` plugin's :8181/ready, dnsPolicy Default; Service `kube-dns` with ports dns 53/UDP, dns-tcp 53/TCP,
 * metrics 9153/TCP).
 */
export const bootstrapManifests = (c: ClusterConfig): string => {
  const docs: string[] = []
  for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"]) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    kubernetes.io/metadata.name: ${ns}\n`)
  }
  for (const n of c.nodes) {
    docs.push(`apiVersion: v1
kind: Node
metadata:
  name: ${n.name}
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: ${n.name}
    kubernetes.io/os: linux
${Object.keys(n.labels ?? {})
  .sort()
  .map((k) => `    ${k}: ${JSON.stringify(n.labels?.[k])}\n`)
  .join("")}spec:
  podCIDR: ${n.podCIDR}
  podCIDRs: [${n.podCIDR}]
  providerID: kind://docker/kind/${n.name}
status:
  capacity:
    cpu: "${n.cpus ?? DEFAULT_NODE_CPUS}"
    pods: "${c.maxPods}"
  allocatable:
    cpu: "${n.cpus ?? DEFAULT_NODE_CPUS}"
    pods: "${c.maxPods}"
  addresses:
    - type: InternalIP
      address: ${n.ip}
    - type: Hostname
      address: ${n.name}
  conditions:
    - type: Ready
      status: "True"
      reason: KubeletReady
      message: kubelet is posting ready status
`)
  }
  const firstServiceIp = serviceIp(c.serviceCIDR, 1)
  docs.push(`apiVersion: v1
kind: Service
metadata:
  name: kubernetes
  namespace: default
  labels:
    component: apiserver
    provider: kubernetes
spec:
  type: ClusterIP
  clusterIP: ${firstServiceIp}
  clusterIPs: [${firstServiceIp}]
  ports:
    - name: https
      port: 443
      protocol: TCP
      targetPort: ${c.apiServer.port}
`)
  docs.push(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes
  namespace: default
  labels:
    kubernetes.io/service-name: kubernetes
addressType: IPv4
endpoints:
  - addresses: [${c.apiServer.ip}]
    conditions:
      ready: true
ports:
  - name: https
    port: ${c.apiServer.port}
    protocol: TCP
`)
  docs.push(`apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
    kubernetes.io/cluster-service: "true"
    kubernetes.io/name: CoreDNS
  annotations:
    prometheus.io/port: "9153"
    prometheus.io/scrape: "true"
spec:
  clusterIP: ${c.dnsServiceIP}
  clusterIPs: [${c.dnsServiceIP}]
  selector:
    k8s-app: kube-dns
  ports:
    - name: dns
      port: 53
      protocol: UDP
      targetPort: 53
    - name: dns-tcp
      port: 53
      protocol: TCP
      targetPort: 53
    - name: metrics
      port: 9153
      protocol: TCP
      targetPort: 9153
`)
  docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
spec:
  replicas: ${c.corednsReplicas}
  selector:
    matchLabels:
      k8s-app: kube-dns
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  template:
    metadata:
      labels:
        k8s-app: kube-dns
    spec:
      dnsPolicy: Default
      containers:
        - name: coredns
          image: ${c.corednsImage}
          imagePullPolicy: IfNotPresent
          args: ["-conf", "/etc/coredns/Corefile"]
          ports:
            - containerPort: 53
              name: dns
              protocol: UDP
            - containerPort: 53
              name: dns-tcp
              protocol: TCP
            - containerPort: 9153
              name: metrics
              protocol: TCP
          readinessProbe:
            httpGet:
              path: /ready
              port: 8181
              scheme: HTTP
`)
  return docs.join("---\n")
}

/** The n-th address of a CIDR (kubeadm: the API server's Service takes the 1st, kube-dns the 10th). */
const serviceIp = (cidr: string, n: number): string => {
  const [base] = cidr.split("/")
  const parts = (base as string).split(".").map(Number)
  const v = (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) + n
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".")
}
