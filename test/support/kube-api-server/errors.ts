/**
 * `Status` objects, as the API conventions ("Response Status Kind") define them: every failure is a
 * `kind: Status` body with `status: Failure`, an HTTP `code`, a machine-readable `reason` and
 * `details` naming the resource (`kind` holds the resource's plural name, as the real server does).
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
  type?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Group-qualified resource, as used in messages: `services`, `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

function detailsFor(gr: GroupResource, name?: string): StatusDetails {
  return { ...(name ? { name } : {}), ...(gr.group ? { group: gr.group } : {}), kind: gr.resource };
}

export const errors = {
  notFound(gr: GroupResource, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, detailsFor(gr, name));
  },
  pathNotFound(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  alreadyExists(gr: GroupResource, name: string): ApiError {
    return new ApiError(
      409,
      'AlreadyExists',
      `${qualified(gr)} "${name}" already exists`,
      detailsFor(gr, name),
    );
  },
  conflict(gr: GroupResource, name: string, why: string, causes?: StatusCause[]): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
      {
        ...detailsFor(gr, name),
        ...(causes ? { causes } : {}),
      },
    );
  },
  staleResourceVersion(gr: GroupResource, name: string): ApiError {
    return errors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },
  applyConflict(gr: GroupResource, name: string, message: string, causes: StatusCause[]): ApiError {
    return new ApiError(409, 'Conflict', message, { ...detailsFor(gr, name), causes });
  },
  /** A JSON patch that cannot be applied: the real server answers 422 with reason Invalid. */
  invalidPatch(message: string): ApiError {
    return new ApiError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: ${message}`,
    );
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  /** 422: `Kind.group "name" is invalid: field: Reason: detail`. */
  invalid(
    kind: string,
    group: string,
    name: string,
    causes: Array<{ field: string; reason: string; message: string }>,
  ): ApiError {
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    const text = causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ');
    return new ApiError(
      422,
      'Invalid',
      `${qualifiedKind} "${name}" is invalid: ${causes.length > 1 ? `[${text}]` : text}`,
      {
        name,
        ...(group ? { group } : {}),
        kind,
        causes: causes.map((cause) => ({ reason: cause.reason, message: cause.message, field: cause.field })),
      },
    );
  },
  forbidden(gr: GroupResource, name: string | undefined, message: string): ApiError {
    const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
    return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${message}`, detailsFor(gr, name));
  },
  forbiddenPath(message: string): ApiError {
    return new ApiError(403, 'Forbidden', `forbidden: ${message}`, {});
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  methodNotAllowed(): ApiError {
    return new ApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
      {},
    );
  },
  unsupportedMediaType(contentType: string): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${JSON.stringify(contentType)})`,
    );
  },
  notAcceptable(): ApiError {
    return new ApiError(
      406,
      'NotAcceptable',
      'only the following media types are accepted: application/json, application/yaml',
    );
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    });
  },
  serviceUnavailable(message: string): ApiError {
    return new ApiError(503, 'ServiceUnavailable', message, {}, { 'Retry-After': '1' });
  },
  tooManyRequests(): ApiError {
    return new ApiError(
      429,
      'TooManyRequests',
      'Too many requests, please try again later.',
      { retryAfterSeconds: 1 },
      { 'Retry-After': '1' },
    );
  },
  timeout(message: string, causes?: StatusCause[]): ApiError {
    return new ApiError(
      504,
      'Timeout',
      message,
      { ...(causes ? { causes } : {}), retryAfterSeconds: 1 },
      { 'Retry-After': '1' },
    );
  },
};
