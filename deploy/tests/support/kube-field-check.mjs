// Strict field check of Kubernetes objects against the API types of @kubernetes/client-node: every
// field must exist in its type (a typo such as `livenesProbe` fails) and primitives must have the
// right JSON type. kubernetes-models' validators check required fields and formats but accept
// unknown fields, so deploy/tests/helm-charts.spec.ts uses both.
// A separate ES module process: the client's models are ES modules, and only the model files are
// loaded (the full client needs Node 22.19+). stdin: JSON list of objects; stdout: JSON list of problems.
import fs from 'node:fs';
import path from 'node:path';

const models = await import(
  path.join(import.meta.dirname, '../../../node_modules/@kubernetes/client-node/dist/gen/models/all.js')
);

/** The model class of each top-level kind the charts may render, with its expected apiVersion. */
const ROOT_TYPES = {
  Deployment: ['apps/v1', 'V1Deployment'],
  StatefulSet: ['apps/v1', 'V1StatefulSet'],
  Service: ['v1', 'V1Service'],
  Secret: ['v1', 'V1Secret'],
  ConfigMap: ['v1', 'V1ConfigMap'],
  ServiceAccount: ['v1', 'V1ServiceAccount'],
  PodDisruptionBudget: ['policy/v1', 'V1PodDisruptionBudget'],
  HorizontalPodAutoscaler: ['autoscaling/v2', 'V2HorizontalPodAutoscaler'],
  Job: ['batch/v1', 'V1Job'],
  NetworkPolicy: ['networking.k8s.io/v1', 'V1NetworkPolicy'],
  ClusterRole: ['rbac.authorization.k8s.io/v1', 'V1ClusterRole'],
  ClusterRoleBinding: ['rbac.authorization.k8s.io/v1', 'V1ClusterRoleBinding'],
  Role: ['rbac.authorization.k8s.io/v1', 'V1Role'],
  RoleBinding: ['rbac.authorization.k8s.io/v1', 'V1RoleBinding'],
};

function check(value, type, where, problems) {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return problems.push(`${where}: expected a list (${type})`);
    value.forEach((item, index) => check(item, array[1], `${where}[${index}]`, problems));
  } else if (map) {
    if (typeof value !== 'object' || Array.isArray(value))
      return problems.push(`${where}: expected a map (${type})`);
    for (const [key, item] of Object.entries(value)) check(item, map[1], `${where}.${key}`, problems);
  } else if (type === 'string' || type === 'Date') {
    if (typeof value !== 'string') problems.push(`${where}: expected a string, got ${JSON.stringify(value)}`);
  } else if (type === 'number' || type === 'boolean') {
    if (typeof value !== type) problems.push(`${where}: expected a ${type}, got ${JSON.stringify(value)}`);
  } else if (type === 'IntOrString') {
    if (typeof value !== 'string' && !Number.isInteger(value))
      problems.push(`${where}: expected an int or a string`);
  } else if (type === 'any' || type === 'object') {
    // free-form
  } else {
    const model = models[type];
    if (!model?.getAttributeTypeMap) return problems.push(`${where}: no model ${type}`);
    if (typeof value !== 'object' || Array.isArray(value))
      return problems.push(`${where}: expected an object (${type})`);
    const fields = new Map(
      model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]),
    );
    for (const [key, item] of Object.entries(value)) {
      if (!fields.has(key)) problems.push(`${where}.${key}: unknown field of ${type}`);
      else check(item, fields.get(key), `${where}.${key}`, problems);
    }
  }
}

const objects = JSON.parse(fs.readFileSync(0, 'utf8'));
const problems = [];
for (const object of objects) {
  const name = `${object?.kind}/${object?.metadata?.name}`;
  const root = ROOT_TYPES[object?.kind];
  if (!root) {
    problems.push(`${name}: kind not known to this check`);
    continue;
  }
  if (object.apiVersion !== root[0])
    problems.push(`${name}: apiVersion ${object.apiVersion}, expected ${root[0]}`);
  check(object, root[1], name, problems);
}
process.stdout.write(JSON.stringify(problems));
