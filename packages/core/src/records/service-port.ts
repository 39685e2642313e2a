/**
 * A service port's name as records carry it: kube-proxy's `ServicePortName.String()` (pkg/proxy/types.go),
 * `<namespace>/<name>:<port name>`, and just `<namespace>/<name>` for an unnamed port (`fmtPortName` returns ""
 * for an empty name). Every emitter of records names service ports through this one function.
 */
export const servicePortName = (namespace: string, name: string, portName: string): string =>
  portName === "" ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`
