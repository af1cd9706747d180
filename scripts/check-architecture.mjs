// Checks the import rules of .dependency-cruiser.cjs over apps/ and libs/, then that no two folders
// (features, platform areas, libs) depend on each other in a cycle. Run by `npm run lint`.
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs');

const { output } = await cruise(['apps', 'libs'], {
  ...config.options,
  ruleSet: { forbidden: config.forbidden },
  validate: true,
});
const violations = output.summary.violations.filter((violation) => violation.rule.severity === 'error');
for (const violation of violations) {
  const via = violation.cycle
    ? ` (cycle: ${violation.cycle.map((step) => step.name ?? step).join(' -> ')})`
    : '';
  console.error(`${violation.rule.name}: ${violation.from} -> ${violation.to}${via}`);
}

/** The folder a file belongs to for the folder-cycle check, or null for files outside it. */
function folderOf(file) {
  const match = /^(apps\/controller\/src\/(?:features|platform)\/[^/]+|libs\/[^/]+|apps\/[^/]+)\//.exec(file);
  return match ? match[1] : null;
}
const isTest = (file) => /\.(spec|int-spec|e2e-spec)\.ts$|\.test-(fixtures|util)\.ts$/.test(file);
const edges = new Map();
for (const module of output.modules) {
  const from = folderOf(module.source);
  if (!from || isTest(module.source)) continue;
  for (const dependency of module.dependencies) {
    const to = folderOf(dependency.resolved);
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${module.source} -> ${dependency.resolved}`);
  }
}
// Tarjan's strongly connected components: any component of more than one folder is a cycle.
let index = 0;
const indices = new Map();
const lowLinks = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function connect(node) {
  indices.set(node, index);
  lowLinks.set(node, index++);
  stack.push(node);
  onStack.add(node);
  for (const next of edges.get(node)?.keys() ?? []) {
    if (!indices.has(next)) {
      connect(next);
      lowLinks.set(node, Math.min(lowLinks.get(node), lowLinks.get(next)));
    } else if (onStack.has(next)) lowLinks.set(node, Math.min(lowLinks.get(node), indices.get(next)));
  }
  if (lowLinks.get(node) === indices.get(node)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component);
  }
}
for (const node of edges.keys()) if (!indices.has(node)) connect(node);
for (const component of cycles) {
  console.error(`folder-cycle: ${component.join(', ')}`);
  for (const from of component)
    for (const [to, example] of edges.get(from) ?? [])
      if (component.includes(to)) console.error(`  ${example}`);
}

const problems = violations.length + cycles.length;
if (problems > 0) {
  console.error(
    `\n${problems} architecture rule violation(s); the rules are in docs/architecture.md ("Anatomy of a feature").`,
  );
  process.exit(1);
}
console.log(`architecture: ${output.summary.totalCruised} files, no violations, no folder cycles`);
