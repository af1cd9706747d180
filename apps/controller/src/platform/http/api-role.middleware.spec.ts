import { NotFoundException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { apiRoleOff } from './api-role.middleware';

describe('apiRoleOff', () => {
  const pass = (path: string) => {
    let outcome: unknown = 'not called';
    apiRoleOff(['worker'])({ path } as Request, {} as Response, (error?: unknown) => (outcome = error));
    return outcome;
  };

  it('serves the probes and refuses everything else with a 404 naming the roles', () => {
    expect(pass('/healthz')).toBeUndefined();
    expect(pass('/readyz')).toBeUndefined();
    for (const path of ['/v1/clusters', '/graphql', '/docs', '/openapi.json']) {
      const refusal = pass(path);
      expect(refusal).toBeInstanceOf(NotFoundException);
      expect((refusal as Error).message).toBe('this replica does not serve the API (LATTICE_ROLES=worker)');
    }
  });
});
