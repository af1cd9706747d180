import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';

/** 200 with the representation and its ETag (for If-None-Match and If-Match). */
export function ApiOkWithEtag(type: Type<unknown>): MethodDecorator {
  return ApiOkResponse({
    type,
    description: 'ETag header: version and representation hash, for If-None-Match and If-Match',
  });
}

/**
 * The OpenAPI shape of a PUT that creates the one policy of a GNS service (201, no If-Match) or
 * replaces it (200, If-Match required), with a 409 when two requests create it at once.
 */
export function ApiCreateOrReplacePolicy(options: {
  type: Type<unknown>;
  summary: string;
  example: object;
}): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: options.summary }),
    ApiHeader({ name: 'If-Match', required: false, description: 'required to replace an existing policy' }),
    ApiBody({ schema: { type: 'object', example: options.example } }),
    ApiOkResponse({ type: options.type, description: 'replaced (If-Match named the current version)' }),
    ApiCreatedResponse({ type: options.type, description: 'created: the service had no policy' }),
    ApiConflictResponse({
      description: 'another request created the policy at the same moment; GET it and retry',
    }),
  );
}
