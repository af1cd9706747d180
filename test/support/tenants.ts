import type { ControllerProcess } from './controller-process';

export interface TestTenant {
  id: string;
  name: string;
  adminToken: string;
}

export async function createTenant(controller: ControllerProcess, name: string): Promise<TestTenant> {
  const response = await controller.request('POST', '/v1/tenants', {
    token: controller.operatorToken,
    body: { name },
  });
  if (response.status !== 201)
    throw new Error(`creating tenant ${name}: ${response.status} ${response.text}`);
  const body = response.json as unknown as {
    tenant: { id: string; name: string };
    adminToken: { token: string };
  };
  return { id: body.tenant.id, name: body.tenant.name, adminToken: body.adminToken.token };
}

export async function createToken(
  controller: ControllerProcess,
  tenant: TestTenant,
  role: string,
  extra: Record<string, unknown> = {},
) {
  const response = await controller.request('POST', '/v1/tokens', {
    token: tenant.adminToken,
    body: { name: `${role}-token`, role, ...extra },
  });
  if (response.status !== 201) throw new Error(`creating token: ${response.status} ${response.text}`);
  return response.json as unknown as { id: string; token: string; prefix: string };
}

/** A cluster registered through REST: its id and what its agent needs to connect the first time. */
export interface RegisteredCluster {
  id: string;
  bootstrapToken: string;
  controllerCaPem: string;
}

export async function createCluster(
  controller: ControllerProcess,
  token: string,
  name: string,
  eastWestAddress: string,
  /** More registration fields, e.g. `network`, `region`, `zone`. */
  extra: Record<string, unknown> = {},
): Promise<RegisteredCluster> {
  const response = await controller.request('POST', '/v1/clusters', {
    token,
    body: { name, eastWestAddress, ...extra },
  });
  if (response.status !== 201)
    throw new Error(`creating cluster ${name}: ${response.status} ${response.text}`);
  const body = response.json as unknown as {
    cluster: { id: string };
    bootstrap: { token: string; controllerCaPem: string };
  };
  return {
    id: body.cluster.id,
    bootstrapToken: body.bootstrap.token,
    controllerCaPem: body.bootstrap.controllerCaPem,
  };
}
