import { describe, expect, test } from "vitest"
import { decodeManifests } from "./decode-manifests"
import { formatManifestIssues } from "./manifest-issue"

const decode = (text: string) => decodeManifests(text, { file: "m.yml" })
const errors = (text: string) => formatManifestIssues(decode(text).errors)

describe("kinds of a real bundle: ConfigMap, Secret, ServiceAccount (stored, mounted nowhere)", () => {
  test("a bundle with a ConfigMap, a Secret and a ServiceAccount beside its Deployment decodes whole", () => {
    const r = decode(`apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data:
  nginx.conf: |
    server { listen 80; }
  LOG_LEVEL: info
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
data: {password: aHVudGVyMg==}
stringData: {user: admin, password: s3cr3t}
`)
    expect(r.errors).toEqual([])
    expect(r.warnings).toEqual([])
    expect(r.objects.map((o) => o.object.kind)).toEqual(["ServiceAccount", "ConfigMap", "Secret"])
    expect(r.objects[0]?.object).toEqual({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "web", namespace: "default" }, automountServiceAccountToken: false })
    expect(r.objects[1]?.object).toMatchObject({ data: { "nginx.conf": "server { listen 80; }\n", LOG_LEVEL: "info" } })
    // conversion.go: stringData overwrites data, base64-encoded; type defaults to Opaque.
    expect(r.objects[2]?.object).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "web-secret", namespace: "default" }, type: "Opaque", data: { password: "czNjcjN0", user: "YWRtaW4=" } })
  })

  test("keys are checked as IsConfigMapKey; data must be base64; well-known Secret types need their keys", () => {
    expect(errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {'bad key': v1, '..x': v2}\n")).toBe(
      'The ConfigMap "c" is invalid:\n' +
        "* data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+') (m.yml:4:8, document 1)\n" +
        "* data[..x]: Invalid value: \"..x\": must not start with '..' (m.yml:4:23, document 1)\n",
    )
    expect(errors("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: 'not base64!'}\n")).toMatch(/data\[a\]: Invalid value: "": illegal base64 data at input byte 3/)
    expect(errors("apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==}\n")).toMatch(/data\[tls\.key\]: Required value/)
    expect(errors("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: Web}\n")).toMatch(/metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain/)
  })
})

describe("StatefulSet and DaemonSet", () => {
  const template = "  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: nginx}]}\n"
  test("defaults as pkg/apis/apps/v1/defaults.go", () => {
    const r = decode(`apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n${template}---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n${template}`)
    expect(r.errors).toEqual([])
    expect(r.objects[0]?.object).toMatchObject({
      spec: { replicas: 1, serviceName: "db", podManagementPolicy: "OrderedReady", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10, minReadySeconds: 0, ordinalsStart: 0 },
    })
    expect(r.objects[1]?.object).toMatchObject({ spec: { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 } })
  })

  test("validation: a DNS-label name, podManagementPolicy, the selector matching the template", () => {
    expect(errors(`apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db.x}\nspec:\n  podManagementPolicy: Random\n${template}`)).toMatch(
      /metadata\.name: Invalid value: "db\.x": a lowercase RFC 1123 label[^\n]*\n\* spec\.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'/,
    )
    expect(errors(`apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: a}\nspec:\n${template.replace("{app: db}}\n  template", "{app: x}}\n  template")}`)).toMatch(/`selector` does not match template `labels`/)
  })
})
