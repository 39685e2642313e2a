import { readdirSync, readFileSync } from "node:fs"
import fc from "fast-check"
import { describe, expect, test } from "vitest"
import { runs } from "../../../../../../test-support/runs"
import { decodeManifests } from "./decode-manifests"
import { decodeObject } from "./decode-object"
import { formatManifestIssues } from "./manifest-issue"

const SEED = "/work/shared/seed/manifests"
const SERVED =
  "v1 Pod, v1 Service, apps/v1 Deployment, apps/v1 ReplicaSet, discovery.k8s.io/v1 EndpointSlice, v1 Namespace, v1 Node, apps/v1 StatefulSet, apps/v1 DaemonSet, v1 ConfigMap, v1 Secret, v1 ServiceAccount"
const decode = (text: string) => decodeManifests(text, { file: "m.yml" })
const report = (text: string) => {
  const r = decode(text)
  return formatManifestIssues([...r.errors, ...r.warnings])
}

describe("seed manifests", () => {
  const files = readdirSync(SEED).filter((f) => f.endsWith(".yml")).sort()
  test.each(files)("%s decodes without errors or warnings", (f) => {
    const r = decodeManifests(readFileSync(`${SEED}/${f}`, "utf8"), { file: f })
    expect(r.errors).toEqual([])
    expect(r.warnings).toEqual([])
    expect(r.objects).toHaveLength(1)
  })

  test("the Service gets Kubernetes' defaults", () => {
    const [svc] = decode(readFileSync(`${SEED}/service_sa.yml`, "utf8")).objects
    expect(svc?.object).toMatchObject({
      kind: "Service",
      metadata: { name: "web-service", namespace: "default" },
      spec: {
        type: "ClusterIP",
        ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        internalTrafficPolicy: "Cluster",
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
      },
    })
    expect(svc?.object.kind === "Service" && svc.object.spec.externalTrafficPolicy).toBe(undefined)
  })

  test("NodePort and LoadBalancer get externalTrafficPolicy Cluster; LoadBalancer allocates node ports", () => {
    const np = decode(readFileSync(`${SEED}/service_nodeport.yml`, "utf8")).objects[0]?.object
    const lb = decode(readFileSync(`${SEED}/service_lb.yml`, "utf8")).objects[0]?.object
    expect(np).toMatchObject({ spec: { type: "NodePort", externalTrafficPolicy: "Cluster" } })
    expect(lb).toMatchObject({ spec: { type: "LoadBalancer", externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true } })
  })

  test("the Deployment gets replicas, RollingUpdate 25%/25%, revisionHistoryLimit and pod defaults", () => {
    const d = decode(readFileSync(`${SEED}/service1deployment.yml`, "utf8")).objects[0]?.object
    expect(d).toMatchObject({
      spec: {
        replicas: 3,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        template: {
          spec: {
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 30,
            dnsPolicy: "ClusterFirst",
            enableServiceLinks: true,
            schedulerName: "default-scheduler",
            containers: [{ name: "nginx", imagePullPolicy: "Always", terminationMessagePath: "/dev/termination-log" }],
          },
        },
      },
    })
  })

  test("a tagged image pulls IfNotPresent; replicas default to 1", () => {
    const r = decode(`apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers: [{name: c, image: "nginx:1.25"}]
`)
    expect(r.objects[0]?.object).toMatchObject({ spec: { replicas: 1, template: { spec: { containers: [{ imagePullPolicy: "IfNotPresent" }] } } } })
  })
})

describe("messages for common mistakes", () => {
  test("port 70000", () => {
    expect(
      report(`apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 70000
      targetPort: 80
`),
    ).toBe('The Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive (m.yml:8:7, document 1)\n')
  })

  test("duplicate port names, and names required with several ports: all reported together", () => {
    expect(
      report(`apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - name: http
      port: 80
    - name: http
      port: 81
    - port: 82
`),
    ).toBe(`The Service "web" is invalid:
* spec.ports[1].name: Duplicate value: "http" (m.yml:9:7, document 1)
* spec.ports[2].name: Required value (m.yml:11:7, document 1)
`)
  })

  test("selector that does not match the template labels", () => {
    expect(
      report(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-deploy
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers: [{name: nginx, image: nginx}]
`),
    ).toBe(
      'The Deployment "web-deploy" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels` (m.yml:10:7, document 1)\n',
    )
  })

  test("bad indentation is a YAML error with its line", () => {
    const r = decode(`apiVersion: v1
kind: Service
metadata:
  name: web
 spec:
  ports:
  - port: 80
`)
    expect(r.objects).toEqual([])
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatchObject({ reason: "YAMLSyntax", document: 1, line: 5 })
    expect(formatManifestIssues(r.errors)).toMatch(/^error parsing m\.yml: error converting YAML to JSON: yaml: line 5: .+ \(m\.yml:5:\d+, document 1\)\n$/)
  })

  test("container resources: a quantity the API server cannot parse, a negative one, a request above its limit, an unknown resource", () => {
    const pod = (resources: string): string => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: nginx
    resources: ${resources}
`
    expect(report(pod("{requests: {cpu: lots}}"))).toBe(
      `The Pod "p" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (m.yml:8:28, document 1)\n`,
    )
    expect(report(pod("{limits: {memory: -1Mi}}"))).toMatch(/spec\.containers\[0\]\.resources\.limits\[memory\]: Invalid value: "-1Mi": must be greater than or equal to 0 /)
    expect(report(pod("{requests: {cpu: '2'}, limits: {cpu: 1500m}}"))).toMatch(/spec\.containers\[0\]\.resources\.requests: Invalid value: "2": must be less than or equal to cpu limit of 1500m /)
    expect(report(pod("{requests: {gpus: '1'}}"))).toMatch(/spec\.containers\[0\]\.resources\.requests\[gpus\]: Invalid value: "gpus": must be a standard resource for containers /)
    expect(report(pod("{requests: {example.com/foo: '1'}, limits: {example.com/foo: '2'}}"))).toMatch(/requests: Invalid value: "1": must be equal to example\.com\/foo limit of 2 /)
    // Requests defaulted from a bad limit: the error once, on the limit.
    expect(decode(pod("{limits: {memory: 12XB}}")).errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/resources\.limits\[memory\]: Invalid value: "12XB": quantities must match/),
    ])
    // Valid: requests at or below their limits, extended resources whole and equal.
    expect(decode(pod("{requests: {cpu: 250m, memory: 64Mi, example.com/foo: '1'}, limits: {cpu: '1', memory: 128Mi, example.com/foo: '1'}}")).errors).toEqual([])
  })

  test("a Service name that is not a DNS-1035 label", () => {
    const r = decode("apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}\n")
    expect(r.errors.map((e) => e.message)).toEqual([
      `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ])
  })

  test("wrong types name the field, the expected and the found type", () => {
    const r = decode("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n  - port: eighty\n")
    expect(r.errors).toMatchObject([{ reason: "TypeMismatch", field: "spec.ports[0].port", expected: "int32", found: 'string "eighty"', line: 6, kind: "Service", name: "web" }])
  })

  test("unknown fields are warnings and the object is still decoded", () => {
    const r = decode("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  prots: []\n  ports: [{port: 80}]\n")
    expect(r.objects).toHaveLength(1)
    expect(formatManifestIssues(r.warnings)).toBe('Warning: unknown field "spec.prots" (m.yml:5:3, document 1)\n')
  })

  test("unknown kinds and wrong apiVersions are errors", () => {
    const r = decode("apiVersion: v1\nkind: Deployment\nmetadata: {name: d}\n---\napiVersion: v1\nkind: Ingress\nmetadata: {name: i}\n")
    expect(r.errors.map((e) => [e.document, e.reason, e.message])).toEqual([
      [1, "UnknownKind", `resource mapping not found for name: "d" namespace: "": no matches for kind "Deployment" in version "v1"; ensure CRDs are installed first (kubesim serves ${SERVED})`],
      [2, "UnknownKind", `resource mapping not found for name: "i" namespace: "": no matches for kind "Ingress" in version "v1"; ensure CRDs are installed first (kubesim serves ${SERVED})`],
    ])
  })

  test("ExternalName needs a DNS name; nodePort outside the range; ClusterIP with nodePort", () => {
    const r = decode(`apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName}
---
apiVersion: v1
kind: Service
metadata: {name: np}
spec: {type: NodePort, ports: [{port: 80, nodePort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: cip}
spec: {ports: [{port: 80, nodePort: 30080}]}
`)
    expect(r.errors.map((e) => e.message)).toEqual([
      "spec.externalName: Required value",
      "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767",
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ])
  })

  test("a Recreate Deployment may not carry rollingUpdate (ValidateDeploymentStrategy)", () => {
    const doc = (strategy: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: a}}\n  strategy: ${strategy}\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: c, image: i}]}\n`
    expect(decode(doc("{type: Recreate, rollingUpdate: {maxSurge: 1}}")).errors.map((e) => [e.field, e.message, e.line])).toEqual([
      ["spec.strategy.rollingUpdate", "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'", 6],
    ])
    expect(decode(doc("{type: Recreate}")).errors).toEqual([])
    expect(decode(doc("{type: RollingUpdate, rollingUpdate: {maxSurge: 1}}")).errors).toEqual([])
  })

  test("good documents are decoded beside bad ones; empty documents are skipped", () => {
    const r = decode("---\n# nothing\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: Bad_NS}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n")
    // "---\n# nothing\n" is document 1 (empty); Bad_NS is document 2.
    expect(r.objects.map((o) => [o.document, o.object.metadata.name])).toEqual([[3, "team-a"]])
    expect(r.errors.map((e) => [e.document, e.field])).toEqual([[2, "metadata.name"]])
  })

  test("a List document contributes its items", () => {
    const r = decode("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: B}\n")
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(["a"])
    expect(r.errors[0]).toMatchObject({ field: "metadata.name", line: 9 })
  })
})

describe("decoding never throws", () => {
  const yamlish = fc.oneof(
    fc.string(),
    fc.array(
      fc.constantFrom(
        "apiVersion: v1\n", "kind: Service\n", "kind: Pod\n", "apiVersion: apps/v1\n", "kind: Deployment\n", "metadata:\n", "  name: web\n",
        "spec:\n", "  ports:\n", "  - port: 80\n", "    port: x\n", "  selector: {app: web}\n", "---\n", "  containers: [{name: c, image: i}]\n",
        " bad: indent\n", "&a [*a, *a]\n", "key: 'unterminated\n", "- - -\n", "? complex\n", "!!binary AAAA\n", "<<: {a: 1}\n", "null\n", "~\n",
        "\t\n", "  template:\n    metadata: {labels: {app: web}}\n", "  replicas: -1\n", "  type: NodePort\n", "    nodePort: 99999\n",
      ),
      { maxLength: 12 },
    ).map((parts) => parts.join("")),
  )

  test("on arbitrary YAML-ish text", () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const r = decodeManifests(text, { file: "f.yml" })
        formatManifestIssues([...r.errors, ...r.warnings])
        for (const e of r.errors) expect(e.message.length).toBeGreaterThan(0)
      }),
      { numRuns: runs(3500) },
    )
  })

  const kinds = fc.constantFrom("Pod", "Service", "Deployment", "ReplicaSet", "EndpointSlice", "Namespace", "Node", "Foo")
  const apiVersions = fc.constantFrom("v1", "apps/v1", "discovery.k8s.io/v1", "v2")
  const anyJson = fc.jsonValue({ maxDepth: 4 })
  const objectish = fc.record(
    {
      apiVersion: fc.oneof(apiVersions, anyJson),
      kind: fc.oneof(kinds, anyJson),
      metadata: fc.oneof(fc.record({ name: fc.oneof(fc.string(), anyJson), labels: anyJson }, { requiredKeys: [] }), anyJson),
      spec: fc.oneof(
        fc.record({ ports: fc.array(fc.record({ port: anyJson, name: anyJson, targetPort: anyJson }, { requiredKeys: [] })), selector: anyJson, containers: anyJson, template: anyJson, type: anyJson }, { requiredKeys: [] }),
        anyJson,
      ),
      endpoints: anyJson,
    },
    { requiredKeys: [] },
  )

  test("on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, objectish), (v) => {
        const r = decodeObject(v)
        if (r.object === undefined) expect(r.problems.some((p) => p.severity === "error")).toBe(true)
        else expect(r.problems.every((p) => p.severity === "warning")).toBe(true)
      }),
      { numRuns: runs(5000) },
    )
  })
})
