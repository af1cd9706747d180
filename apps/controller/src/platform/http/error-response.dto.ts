import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorBody } from './error-response.util';

export class FieldErrorView {
  @ApiProperty({
    description: 'path of the bad input: a body field, a query or path parameter, or a header',
    example: 'matchConditions[0].cluster.value',
  })
  field!: string;

  @ApiProperty({ example: 'is not a valid regular expression' }) message!: string;
}

/** The one error shape of the REST API, as AllExceptionsFilter writes it (see error-response.util.ts). */
export class ErrorBodyView implements ErrorBody {
  @ApiProperty({ description: 'the HTTP status, repeated', example: 400 }) statusCode!: number;

  @ApiProperty({
    description:
      'a stable code to branch on: VALIDATION, MALFORMED_JSON, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, ' +
      'CONFLICT, PRECONDITION_FAILED, PRECONDITION_REQUIRED, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, ' +
      'TOO_MANY_REQUESTS, RATE_LIMITED, UNAVAILABLE, INTERNAL (docs/api.md lists when each is used)',
    example: 'VALIDATION',
  })
  error!: string;

  @ApiProperty({ description: 'what is wrong, for people', example: 'name: must be a DNS-1123 label' })
  message!: string;

  @ApiPropertyOptional({
    type: [FieldErrorView],
    description: 'every bad field (400 VALIDATION), not only the first',
  })
  errors?: FieldErrorView[];

  @ApiProperty({
    description: 'the X-Request-Id of the request, also in the logs and the audit log',
    example: '5f0c2a4e-8d6b-4c1e-9f3a-2b7d1e0c9a11',
  })
  requestId!: string;
}
