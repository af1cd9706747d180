/** Injected failures, matched against each request's attributes (the RequestInfo of the real server). */

export interface RequestAttributes {
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection (non-resource paths: the lower-case HTTP method). */
  verb: string;
  path: string;
  isResourceRequest: boolean;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  fieldManager?: string;
}

export interface Match {
  verb?: string | string[];
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Exact request path or a pattern. */
  path?: string | RegExp;
  fieldManager?: string;
}

export function matches(match: Match | undefined, request: RequestAttributes): boolean {
  if (!match) return true;
  if (
    match.verb !== undefined &&
    !(Array.isArray(match.verb) ? match.verb : [match.verb]).includes(request.verb)
  )
    return false;
  if (
    match.path !== undefined &&
    !(typeof match.path === 'string' ? match.path === request.path : match.path.test(request.path))
  )
    return false;
  for (const field of [
    'group',
    'version',
    'resource',
    'subresource',
    'namespace',
    'name',
    'fieldManager',
  ] as const) {
    if (
      match[field] !== undefined &&
      (match[field] !== request[field] || (field === 'group' && !request.isResourceRequest))
    )
      return false;
  }
  return true;
}

export interface FaultHandle {
  /** Removes this fault. */
  remove(): void;
  /** How many requests it has affected so far. */
  readonly hits: number;
}

/**
 * 404 is the answer for a path the server does not (or no longer) serve: "the server could not find
 * the requested resource", as when a CRD version stops being served between discovery and a request.
 */
export type FailStatus = 404 | 429 | 500 | 502 | 503 | 504;

interface Rule {
  kind: 'forbid' | 'fail' | 'delay' | 'hang';
  match?: Match;
  status?: FailStatus;
  message?: string;
  ms?: number;
  times?: number;
  hits: number;
}

export class Faults {
  private rules: Rule[] = [];

  constructor(private readonly watches: { expire: () => void; close: () => void; stall: () => void }) {}

  private add(rule: Rule): FaultHandle {
    this.rules.push(rule);
    return {
      remove: () => {
        this.rules = this.rules.filter((candidate) => candidate !== rule);
      },
      get hits() {
        return rule.hits;
      },
    };
  }

  /** RBAC-style denial: 403 Forbidden with the authorizer's message. */
  forbid(match?: Match & { times?: number }): FaultHandle {
    return this.add({
      kind: 'forbid',
      ...(match ? { match } : {}),
      ...(match?.times ? { times: match.times } : {}),
      hits: 0,
    });
  }

  /** Server errors: 500 InternalError, 503 ServiceUnavailable, 429 TooManyRequests, 502, 504 Timeout, 404 for an unserved path; `times` then stop. */
  fail(options: Match & { status: FailStatus; times?: number; message?: string }): FaultHandle {
    const { status, times, message, ...match } = options;
    return this.add({
      kind: 'fail',
      match,
      status,
      ...(times ? { times } : {}),
      ...(message ? { message } : {}),
      hits: 0,
    });
  }

  /** Latency before the request is handled. */
  delay(ms: number, match?: Match & { times?: number }): FaultHandle {
    return this.add({
      kind: 'delay',
      ms,
      ...(match ? { match } : {}),
      ...(match?.times ? { times: match.times } : {}),
      hits: 0,
    });
  }

  /** Accepts the request and never answers (until the client gives up or the server closes). */
  hang(match?: Match & { times?: number }): FaultHandle {
    return this.add({
      kind: 'hang',
      ...(match ? { match } : {}),
      ...(match?.times ? { times: match.times } : {}),
      hits: 0,
    });
  }

  /**
   * Compacts the change history and ends every open watch with an ERROR event carrying 410 Gone,
   * so clients must relist (their next watch from an old resourceVersion also gets 410).
   */
  expireWatches(): void {
    this.watches.expire();
  }

  /** Ends every open watch cleanly (as a server restart or watch timeout does); clients resume from their last resourceVersion. */
  closeWatches(): void {
    this.watches.close();
  }

  /**
   * Open watches go silent without closing, like a dead connection: no events, bookmarks or end
   * ever again on them. Clients must notice (idle timeout) and reconnect; new watches are unaffected.
   */
  stallWatches(): void {
    this.watches.stall();
  }

  clear(): void {
    this.rules = [];
  }

  /** The first active rule of a kind that matches the request (consumes one of its `times`). */
  take(kind: Rule['kind'], request: RequestAttributes): Rule | undefined {
    const rule = this.rules.find((candidate) => candidate.kind === kind && matches(candidate.match, request));
    if (!rule) return undefined;
    rule.hits++;
    if (rule.times !== undefined && rule.hits >= rule.times)
      this.rules = this.rules.filter((candidate) => candidate !== rule);
    return rule;
  }
}
