import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError } from '@lattice/domain';
import { toServiceError } from './grpc-status.util';

describe('toServiceError', () => {
  it('keeps a domain error message and carries the request id in the x-request-id trailer', () => {
    const status = toServiceError(DomainError.notFound('cluster', 'c1'), 'req-7');
    expect(status.code).toBe(GrpcStatus.NOT_FOUND);
    expect(status.metadata?.get('x-request-id')).toEqual(['req-7']);
  });

  it('answers anything else as an opaque INTERNAL naming the request id, never the raw message', () => {
    const status = toServiceError(new TypeError('secret internals'), 'req-8');
    expect(status).toMatchObject({ code: GrpcStatus.INTERNAL, details: 'internal error (request id req-8)' });
    expect(status.metadata?.get('x-request-id')).toEqual(['req-8']);
  });
});
