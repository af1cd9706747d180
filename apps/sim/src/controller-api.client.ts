/** The few REST calls the simulator makes (tenant, clusters, Global Namespace), with 429 handling. */

export class ControllerApiError extends Error {
  override readonly name = 'ControllerApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface CreatedCluster {
  id: string;
  name: string;
  bootstrapToken: string;
  controllerCaPem: string;
}

export interface GlobalNamespaceView {
  id: string;
  name: string;
  domain: string;
  mtlsMode: string;
  version: number;
  matchConditions: unknown[];
  description: string;
}

const MAX_RATE_LIMIT_RETRIES = 20;

export class ControllerApi {
  constructor(
    readonly baseUrl: string,
    private token: string,
  ) {}

  useToken(token: string): void {
    this.token = token;
  }

  /** Operator call: creates a tenant and returns its first admin token. */
  async createTenant(name: string): Promise<{ tenantId: string; adminToken: string }> {
    const body = await this.call<{ tenant: { id: string }; adminToken: { token: string } }>(
      'POST',
      '/v1/tenants',
      {
        name,
      },
    );
    return { tenantId: body.tenant.id, adminToken: body.adminToken.token };
  }

  async createCluster(
    name: string,
    eastWestAddress: string,
    labels: Record<string, string>,
  ): Promise<CreatedCluster> {
    const body = await this.call<{
      cluster: { id: string; name: string };
      bootstrap: { token: string; controllerCaPem: string };
    }>('POST', '/v1/clusters', { name, eastWestAddress, labels });
    return {
      id: body.cluster.id,
      name: body.cluster.name,
      bootstrapToken: body.bootstrap.token,
      controllerCaPem: body.bootstrap.controllerCaPem,
    };
  }

  async getCluster(
    id: string,
  ): Promise<{ id: string; status: string; desiredVersion?: number; appliedVersion?: number }> {
    return this.call('GET', `/v1/clusters/${id}`);
  }

  async createGlobalNamespace(spec: {
    name: string;
    domain: string;
    matchConditions: unknown[];
    mtlsMode?: string;
  }): Promise<GlobalNamespaceView> {
    return this.call('POST', '/v1/global-namespaces', spec);
  }

  async getGlobalNamespace(id: string): Promise<{ gns: GlobalNamespaceView; etag: string }> {
    const { body, etag } = await this.request<GlobalNamespaceView>('GET', `/v1/global-namespaces/${id}`);
    return { gns: body, etag };
  }

  /** PUT with If-Match; returns the new view and ETag. */
  async updateGlobalNamespace(
    id: string,
    etag: string,
    spec: {
      name: string;
      domain: string;
      description?: string;
      mtlsMode?: string;
      matchConditions: unknown[];
    },
  ): Promise<{ gns: GlobalNamespaceView; etag: string }> {
    const { body, etag: next } = await this.request<GlobalNamespaceView>(
      'PUT',
      `/v1/global-namespaces/${id}`,
      spec,
      {
        'if-match': etag,
      },
    );
    return { gns: body, etag: next };
  }

  async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    return (await this.request<T>(method, route, body)).body;
  }

  async request<T>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ body: T; etag: string }> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${route}`, {
          method,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        throw new ControllerApiError(
          `${method} ${this.baseUrl}${route}: ${(error as Error).message} (is the controller's REST address right?)`,
          0,
        );
      }
      const text = await response.text();
      if (response.status === 429 && attempt < MAX_RATE_LIMIT_RETRIES) {
        // Rate-limited: wait as told (the default limit is 600 requests per token per minute).
        const retryAfterSeconds = Number(response.headers.get('retry-after') ?? '1');
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, retryAfterSeconds) * 1000));
        continue;
      }
      if (!response.ok) {
        throw new ControllerApiError(
          `${method} ${route}: ${response.status} ${text.slice(0, 500)}`,
          response.status,
        );
      }
      return { body: (text ? JSON.parse(text) : undefined) as T, etag: response.headers.get('etag') ?? '' };
    }
  }
}
