import {
  DEFAULT_SLO_NO_DATA_POLICY,
  SLO_NO_DATA_POLICIES,
  type SloNoDataPolicy,
} from '../slo/slo-definition';
import { z } from 'zod';
import { autoscalingPolicySchema } from '../autoscaling/autoscaling-spec';
import type { FieldError } from '../errors';
import { SELECTOR_TYPES } from '../gns/match-conditions';
import { securityPolicySchema, trafficPolicySchema } from '../policies/policy-schema';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-endpoint';

/** The version of the declarative format; a breaking change gets a new one. */
export const API_VERSION = 'lattice.dev/v1alpha1';

export const DECLARATIVE_KINDS = [
  'Cluster',
  'GlobalNamespace',
  'TrafficPolicy',
  'SecurityPolicy',
  'SLO',
  'Webhook',
  'AutoscalingPolicy',
] as const;
export type DeclarativeKind = (typeof DECLARATIVE_KINDS)[number];

/**
 * Creation order: what others refer to first (GNS before its policies and SLOs). Deletion runs it
 * backwards. An autoscaling policy refers to its GNS only (SLOs act on it when distributed, they
 * are not checked when it is written).
 */
export const APPLY_ORDER: readonly DeclarativeKind[] = [
  'Cluster',
  'GlobalNamespace',
  'SecurityPolicy',
  'TrafficPolicy',
  'AutoscalingPolicy',
  'Webhook',
  'SLO',
];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsLabel = z
  .string()
  .regex(
    DNS_LABEL,
    'must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending alphanumeric',
  );

const selector = z.object({ type: z.enum(SELECTOR_TYPES), value: z.string() }).strict();

const clusterSpec = z
  .object({
    eastWestAddress: z.string().nullable().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    network: z.string().nullable().optional(),
    region: z.string().nullable().optional(),
    zone: z.string().nullable().optional(),
    eastWestGatewayManaged: z.boolean().optional(),
    eastWestGatewaySelector: z.record(z.string(), z.string()).nullable().optional(),
  })
  .strict();

const globalNamespaceSpec = z
  .object({
    domain: z.string(),
    description: z.string().optional(),
    mtlsMode: z.enum(['STRICT', 'PERMISSIVE']).optional(),
    matchConditions: z.array(z.object({ cluster: selector, namespace: selector }).strict()),
  })
  .strict();

/*
 * SLO specs let fields this format does not know through: the controller checks them with the same
 * rules as POST /v1/slos, so an SLO field added there works here without a new format version.
 */
const sloSpec = z.looseObject({
  globalNamespace: dnsLabel,
  description: z.string().optional(),
  services: z.array(z.string()),
  indicators: z.array(z.looseObject({ kind: z.enum(['LATENCY', 'ERROR_RATE']) })),
  targetPercent: z.number(),
  window: z.string(),
  budgeting: z.enum(['TIME_SLICES', 'OCCURRENCES']).optional(),
  type: z.enum(['MONITORED', 'ACTIONABLE']).optional(),
  noDataPolicy: z.enum(SLO_NO_DATA_POLICIES as [SloNoDataPolicy, ...SloNoDataPolicy[]]).optional(),
});

const webhookSpec = z
  .object({
    url: z.string(),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export type DeclarativeSpec = Record<string, unknown>;

export interface KindInfo {
  kind: DeclarativeKind;
  /** Lower-case plural: the REST path segment and the CLI's preferred spelling. */
  plural: string;
  /** Other CLI spellings (singular, short). */
  aliases: readonly string[];
  /** The kind names a service of a Global Namespace (TrafficPolicy, AutoscalingPolicy): metadata.globalNamespace is part of its name. */
  scopedByGlobalNamespace: boolean;
  description: string;
  spec: z.ZodType<DeclarativeSpec>;
  /** What a field is when not set (what the REST API fills in); a field apply stops naming returns to it. */
  defaults: DeclarativeSpec;
}

export const KIND_INFO: Record<DeclarativeKind, KindInfo> = {
  Cluster: {
    kind: 'Cluster',
    plural: 'clusters',
    aliases: ['cluster'],
    scopedByGlobalNamespace: false,
    description: 'A Kubernetes cluster whose agent connects to Lattice.',
    spec: clusterSpec,
    defaults: {
      eastWestAddress: null,
      labels: {},
      network: null,
      region: null,
      zone: null,
      eastWestGatewayManaged: true,
      eastWestGatewaySelector: null,
    },
  },
  GlobalNamespace: {
    kind: 'GlobalNamespace',
    plural: 'globalnamespaces',
    aliases: ['globalnamespace', 'gns'],
    scopedByGlobalNamespace: false,
    description: 'A Global Namespace: services of matching (cluster, namespace) pairs under one domain.',
    spec: globalNamespaceSpec,
    defaults: { description: '', mtlsMode: 'STRICT' },
  },
  TrafficPolicy: {
    kind: 'TrafficPolicy',
    plural: 'trafficpolicies',
    aliases: ['trafficpolicy', 'tp'],
    scopedByGlobalNamespace: true,
    description: 'The traffic policy of one service of a Global Namespace (metadata.name is the service).',
    spec: trafficPolicySchema as unknown as z.ZodType<DeclarativeSpec>,
    defaults: {},
  },
  SecurityPolicy: {
    kind: 'SecurityPolicy',
    plural: 'securitypolicies',
    aliases: ['securitypolicy', 'sp'],
    scopedByGlobalNamespace: false,
    description: 'The security policy of a Global Namespace (metadata.name is the Global Namespace).',
    spec: securityPolicySchema as unknown as z.ZodType<DeclarativeSpec>,
    defaults: {},
  },
  SLO: {
    kind: 'SLO',
    plural: 'slos',
    aliases: ['slo'],
    scopedByGlobalNamespace: false,
    description: 'A service level objective on services of a Global Namespace.',
    spec: sloSpec,
    defaults: {
      description: '',
      budgeting: 'TIME_SLICES',
      type: 'MONITORED',
      noDataPolicy: DEFAULT_SLO_NO_DATA_POLICY,
    },
  },
  Webhook: {
    kind: 'Webhook',
    plural: 'webhooks',
    aliases: ['webhook', 'wh'],
    scopedByGlobalNamespace: false,
    description: 'An HTTP endpoint that receives SLO alerts (its signing secret is never exported).',
    spec: webhookSpec,
    defaults: { eventTypes: [...WEBHOOK_EVENT_TYPES], enabled: true },
  },
  AutoscalingPolicy: {
    kind: 'AutoscalingPolicy',
    plural: 'autoscalingpolicies',
    aliases: ['autoscalingpolicy', 'asp'],
    scopedByGlobalNamespace: true,
    description:
      'The autoscaling policy of one service of a Global Namespace (metadata.name is the service).',
    spec: autoscalingPolicySchema as unknown as z.ZodType<DeclarativeSpec>,
    defaults: schemaDefaults(autoscalingPolicySchema),
  },
};

/** The top-level fields a schema fills in when absent, with the values it fills in. */
function schemaDefaults(schema: z.ZodObject): DeclarativeSpec {
  const defaults: DeclarativeSpec = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const absent = (field as z.ZodType).safeParse(undefined);
    if (absent.success && absent.data !== undefined) defaults[key] = absent.data;
  }
  return defaults;
}

/** The kind a CLI argument or path segment names ("gns", "globalnamespaces", "GlobalNamespace"), or undefined. */
export function resolveKind(text: string): DeclarativeKind | undefined {
  const wanted = text.toLowerCase();
  return DECLARATIVE_KINDS.find((kind) => {
    const info = KIND_INFO[kind];
    return kind.toLowerCase() === wanted || info.plural === wanted || info.aliases.includes(wanted);
  });
}

/** How a resource is named: its kind, its name and, for kinds scoped by Global Namespace, their GNS. */
export interface ResourceRef {
  kind: DeclarativeKind;
  name: string;
  globalNamespace?: string;
}

/** "TrafficPolicy/shop/cart", "GlobalNamespace/shop": unique within a tenant. */
export function refKey(ref: ResourceRef): string {
  return [ref.kind, ...(ref.globalNamespace !== undefined ? [ref.globalNamespace] : []), ref.name].join('/');
}

/** Server-set metadata a document may carry (from get or export) and apply ignores, except version. */
const readOnlyMetadata = {
  id: z.string().optional(),
  version: z.number().int().positive().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  managedBy: z.string().optional(),
  applySet: z.string().nullable().optional(),
};

function metadataSchema(scoped: boolean) {
  return z
    .object({
      name: dnsLabel,
      ...(scoped ? { globalNamespace: dnsLabel } : {}),
      ...readOnlyMetadata,
    })
    .strict();
}

/** The schema of a whole document of one kind (what JSON Schema publishes). */
export function documentSchema(kind: DeclarativeKind) {
  const info = KIND_INFO[kind];
  return z
    .object({
      apiVersion: z.literal(API_VERSION),
      kind: z.literal(kind),
      metadata: metadataSchema(info.scopedByGlobalNamespace),
      spec: info.spec,
      status: z.unknown().optional(),
    })
    .strict()
    .meta({ title: kind, description: info.description });
}

/** A parsed declarative document. */
export interface DeclarativeResource extends ResourceRef {
  spec: DeclarativeSpec;
  /** metadata.version: apply refuses to change a resource that is no longer at it. */
  expectedVersion?: number;
}

export type DocumentParse = { ok: true; resource: DeclarativeResource } | { ok: false; errors: FieldError[] };

const DOCUMENT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/** Checks a document's envelope and the shape of its spec; every problem names its field. */
export function parseDocument(input: unknown): DocumentParse {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return {
      ok: false,
      errors: [
        { field: '(document)', message: 'must be a mapping with apiVersion, kind, metadata and spec' },
      ],
    };
  const { apiVersion, kind } = input as Record<string, unknown>;
  // Fields no document has are named with the envelope's problems, not after them.
  const unknownFields: FieldError[] = Object.keys(input)
    .filter((key) => !DOCUMENT_FIELDS.includes(key))
    .map((key) => ({ field: key, message: `is not a document field (${DOCUMENT_FIELDS.join(', ')})` }));
  const envelope: FieldError[] = [];
  if (apiVersion !== API_VERSION)
    envelope.push({
      field: 'apiVersion',
      message: `must be ${API_VERSION}, got ${JSON.stringify(apiVersion ?? null)}`,
    });
  else if (typeof kind !== 'string' || !(DECLARATIVE_KINDS as readonly string[]).includes(kind))
    envelope.push({
      field: 'kind',
      message: `must be one of ${DECLARATIVE_KINDS.join(', ')}, got ${JSON.stringify(kind ?? null)}`,
    });
  if (envelope.length > 0 || unknownFields.length > 0)
    return { ok: false, errors: [...envelope, ...unknownFields] };
  const result = documentSchema(kind as DeclarativeKind).safeParse(input);
  if (!result.success) return { ok: false, errors: zodErrors(result.error) };
  const { metadata } = result.data as {
    metadata: { name: string; globalNamespace?: string; version?: number };
  };
  // The spec as written, not as parsed: a default the schema fills in is not a field the document names.
  const { spec } = input as { spec: DeclarativeSpec };
  return {
    ok: true,
    resource: {
      kind: kind as DeclarativeKind,
      name: metadata.name,
      ...(metadata.globalNamespace !== undefined ? { globalNamespace: metadata.globalNamespace } : {}),
      spec,
      ...(metadata.version !== undefined ? { expectedVersion: metadata.version } : {}),
    },
  };
}

function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length === 0 ? '(document)' : fieldPath(issue.path),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
        : issue.message,
  }));
}

/** ["spec", "routes", 0, "name"] → "spec.routes[0].name". */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** The spec as the REST API stores it: unset fields at their defaults. */
export function withDefaults(kind: DeclarativeKind, spec: DeclarativeSpec): DeclarativeSpec {
  const defaults = KIND_INFO[kind].defaults;
  const result: DeclarativeSpec = { ...spec };
  for (const [key, value] of Object.entries(defaults)) if (result[key] === undefined) result[key] = value;
  return result;
}
