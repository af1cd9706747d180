// Import rules of the codebase (docs/architecture.md, "Anatomy of a feature"); checked by
// `npm run lint` through scripts/check-architecture.mjs.
const FEATURE = '^apps/controller/src/features/([^/]+)/';
/** What one feature may import of another: its module, services, GraphQL models, types and events. */
const FEATURE_DOOR = '\\.(module|service|model|types|events)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'feature-internals',
      comment:
        'A feature may import of another feature only its module, services, GraphQL models, types and events — never its repository, jobs, caches or utilities.',
      severity: 'error',
      from: { path: FEATURE, pathNot: '\\.(spec|int-spec)\\.ts$' },
      to: {
        path: '^apps/controller/src/features/',
        pathNot: ['^apps/controller/src/features/$1/', FEATURE_DOOR],
      },
    },
    {
      name: 'platform-imports-no-feature',
      comment: 'platform/ is infrastructure: it never depends on a feature.',
      severity: 'error',
      from: { path: '^apps/controller/src/platform/', pathNot: '\\.(spec|int-spec)\\.ts$' },
      to: { path: '^apps/controller/src/features/' },
    },
    {
      name: 'libs-import-no-app',
      comment: 'libs/ are shared by the apps and never import them.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-import-no-other-app',
      comment: 'The controller and the agent are separate programs (the simulator embeds the agent library).',
      severity: 'error',
      from: { path: '^apps/(controller|agent)/' },
      to: { path: '^apps/', pathNot: ['^apps/$1/'] },
    },
    {
      name: 'no-circular',
      comment: 'Files import each other in one direction only.',
      severity: 'error',
      from: { pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^apps/controller/src/generated/', '^libs/proto/src/generated/', '^dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
