import type { EndpointSliceView, ServiceView } from "./cluster-view"

/** A Service fixture. */
export const svc = (namespace: string, name: string, spec: ServiceView["spec"]): ServiceView => ({ metadata: { name, namespace }, spec })

/** An EndpointSlice fixture owned by `service`, every endpoint ready unless given. */
export const slice = (
  namespace: string,
  service: string,
  sliceName: string,
  endpoints: EndpointSliceView["endpoints"],
  ports?: EndpointSliceView["ports"],
): EndpointSliceView => ({
  metadata: { name: sliceName, namespace, labels: { "kubernetes.io/service-name": service } },
  endpoints,
  ...(ports === undefined ? {} : { ports }),
})
