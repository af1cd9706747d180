import {
  DECLARATIVE_KINDS,
  KIND_INFO,
  resolveKind,
  type DeclarativeKind,
  type ResourceRef,
} from '@lattice/domain';
import { CliError, EXIT } from './exit-codes';

/** "TrafficPolicy, AutoscalingPolicy": the kinds named by Global Namespace and service, for help texts. */
export const SCOPED_KINDS = DECLARATIVE_KINDS.filter((kind) => KIND_INFO[kind].scopedByGlobalNamespace).join(
  ', ',
);

/** "clusters, globalnamespaces (gns), …": every kind's plural and short name, for help texts. */
export const KIND_LIST = DECLARATIVE_KINDS.map((kind) => {
  const { plural, aliases } = KIND_INFO[kind];
  const short = aliases.filter((alias) => alias !== kind.toLowerCase());
  return short.length > 0 ? `${plural} (${short.join(', ')})` : plural;
}).join(', ');

export function kindArgument(text: string): DeclarativeKind {
  const kind = resolveKind(text);
  if (!kind)
    throw new CliError(
      `unknown kind ${JSON.stringify(text)}: one of ${DECLARATIVE_KINDS.map((k) => `${KIND_INFO[k].plural} (${[k.toLowerCase(), ...KIND_INFO[k].aliases].filter((a, i, all) => all.indexOf(a) === i).join(', ')})`).join('; ')}`,
      EXIT.USAGE,
    );
  return kind;
}

/**
 * What `get`, `describe`, `delete` and `wait` name: `gns shop`, `gns/shop`, `trafficpolicy shop/cart`,
 * `tp/shop/cart` or `tp cart -g shop` (every kind scoped by Global Namespace, e.g. `asp/shop/cart`). The name may be absent (a list) when `nameOptional`.
 */
export function parseTarget(
  first: string,
  second: string | undefined,
  globalNamespace: string | undefined,
): { kind: DeclarativeKind; name?: string; globalNamespace?: string } {
  const [kindText, ...inline] = first.split('/');
  const kind = kindArgument(kindText!);
  const rest = [...inline, ...(second !== undefined ? second.split('/') : [])].filter((part) => part !== '');
  const scoped = KIND_INFO[kind].scopedByGlobalNamespace;
  if (rest.length === 0) return { kind, ...(globalNamespace ? { globalNamespace } : {}) };
  if (scoped && rest.length === 2) return { kind, globalNamespace: rest[0], name: rest[1] };
  if (rest.length === 1) {
    if (scoped && !globalNamespace)
      throw new CliError(
        `${kind} names a service of a Global Namespace: write <gns>/${rest[0]} or add -g <gns>`,
        EXIT.USAGE,
      );
    return { kind, name: rest[0], ...(scoped ? { globalNamespace } : {}) };
  }
  throw new CliError(
    `cannot read ${JSON.stringify([first, second].filter(Boolean).join(' '))} as <kind> <name>`,
    EXIT.USAGE,
  );
}

export function requireName(target: ReturnType<typeof parseTarget>): ResourceRef {
  if (target.name === undefined) throw new CliError(`name the ${target.kind}: <kind> <name>`, EXIT.USAGE);
  return target as ResourceRef;
}

/** The REST path and query of a resource. */
export function resourcePath(ref: ResourceRef): { route: string; query: Record<string, string | undefined> } {
  return {
    route: `v1/declarative/${KIND_INFO[ref.kind].plural}/${encodeURIComponent(ref.name)}`,
    query: { globalNamespace: ref.globalNamespace },
  };
}
