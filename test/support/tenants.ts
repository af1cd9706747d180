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
