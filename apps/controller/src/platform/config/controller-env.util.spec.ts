import { ConfigError, parseControllerEnv } from './controller-env.util';

describe('parseControllerEnv', () => {
  it('applies defaults to an empty environment', () => {
    const env = parseControllerEnv({});
    expect(env.PORT).toBe(8080);
    expect(env.GRPC_PORT).toBe(50051);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.LATTICE_GRPC_HOSTNAMES).toEqual(['localhost', '127.0.0.1']);
  });

  it('names each malformed variable and what it expects', () => {
    try {
      parseControllerEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LATTICE_OPERATOR_TOKEN: 'short' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: .*got "eighty"/m);
      expect(problems).toMatch(/^DATABASE_URL: expected a URL like postgresql:/m);
      expect(problems).toMatch(/^LATTICE_OPERATOR_TOKEN: expected at least 32 characters/m);
    }
  });

  it('refuses an operator token that cannot be sent as a bearer token', () => {
    expect(() => parseControllerEnv({ LATTICE_OPERATOR_TOKEN: `${'a'.repeat(32)} with spaces` })).toThrow(
      /LATTICE_OPERATOR_TOKEN: expected letters, digits and "-._~\+\/"/,
    );
    expect(
      parseControllerEnv({ LATTICE_OPERATOR_TOKEN: `${'a'.repeat(32)}+/_~.-==` }).LATTICE_OPERATOR_TOKEN,
    ).toBe(`${'a'.repeat(32)}+/_~.-==`);
  });

  it('reads where the agent chart is published, refusing what a shell would misread', () => {
    expect(parseControllerEnv({}).LATTICE_AGENT_CHART).toBe('deploy/helm/lattice-agent');
    const env = parseControllerEnv({
      LATTICE_AGENT_CHART: 'oci://registry.example.com/charts/lattice-agent',
      LATTICE_AGENT_CHART_VERSION: '0.1.0',
    });
    expect([env.LATTICE_AGENT_CHART, env.LATTICE_AGENT_CHART_VERSION]).toEqual([
      'oci://registry.example.com/charts/lattice-agent',
      '0.1.0',
    ]);
    expect(() => parseControllerEnv({ LATTICE_AGENT_CHART: 'charts/agent; rm -rf ~' })).toThrow(
      /LATTICE_AGENT_CHART: expected a helm chart reference/,
    );
    expect(() => parseControllerEnv({ LATTICE_AGENT_CHART_VERSION: '1.0 beta' })).toThrow(
      /LATTICE_AGENT_CHART_VERSION: expected a chart version/,
    );
  });

  it('reads the roles of a replica, all three by default, and names an unknown one', () => {
    expect(parseControllerEnv({}).LATTICE_ROLES).toEqual(['api', 'agent-gateway', 'worker']);
    expect(parseControllerEnv({ LATTICE_ROLES: ' worker , agent-gateway' }).LATTICE_ROLES).toEqual([
      'worker',
      'agent-gateway',
    ]);
    expect(() => parseControllerEnv({ LATTICE_ROLES: 'api,ingest' })).toThrow(
      /LATTICE_ROLES: expected a comma-separated list of api, agent-gateway, worker \(unknown: ingest\)/,
    );
    expect(() => parseControllerEnv({ LATTICE_ROLES: ' , ' })).toThrow(
      /LATTICE_ROLES: expected a comma-separated list/,
    );
  });

  it('requires real secrets in production with an external database', () => {
    expect(() =>
      parseControllerEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://db/lattice' }),
    ).toThrow(/LATTICE_OPERATOR_TOKEN: required when NODE_ENV=production[\s\S]*LATTICE_MASTER_KEY/);
  });

  it('keeps strong CA defaults and checks the CA settings', () => {
    const env = parseControllerEnv({});
    expect(env.LATTICE_CA_ROOT_KEY_ALGORITHM).toBe('RSA-4096');
    expect(env.LATTICE_CA_ROOT_VALIDITY_DAYS).toBe(3650);
    expect(env.LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS).toBe(365);
    expect(() => parseControllerEnv({ LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-1024' })).toThrow(
      /LATTICE_CA_ROOT_KEY_ALGORITHM: .*got "RSA-1024"/,
    );
    expect(() => parseControllerEnv({ LATTICE_CA_INTERMEDIATE_MIN_RSA_BITS: '1024' })).toThrow(
      /LATTICE_CA_INTERMEDIATE_MIN_RSA_BITS: expected 2048, 3072 or 4096/,
    );
    expect(() =>
      parseControllerEnv({
        LATTICE_CA_ROOT_VALIDITY_DAYS: '365',
        LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS: '365',
      }),
    ).toThrow(/LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS: must be shorter than LATTICE_CA_ROOT_VALIDITY_DAYS/);
  });

  it('defaults and bounds the SLO evaluation and webhook settings', () => {
    const env = parseControllerEnv({});
    expect(env.LATTICE_SLO_EVALUATION_INTERVAL_SECONDS).toBe(60);
    expect(env.LATTICE_SLO_RECOMPUTE_MINUTES).toBe(5);
    expect(env.LATTICE_WEBHOOK_MAX_ATTEMPTS).toBe(8);
    expect(env.LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS).toBe(false);
    expect(() => parseControllerEnv({ LATTICE_SLO_EVALUATION_INTERVAL_SECONDS: '0' })).toThrow(
      /LATTICE_SLO_EVALUATION_INTERVAL_SECONDS: .*got "0"/,
    );
    expect(() => parseControllerEnv({ LATTICE_SLO_RECOMPUTE_MINUTES: '61' })).toThrow(
      /LATTICE_SLO_RECOMPUTE_MINUTES: .*got "61"/,
    );
    expect(() => parseControllerEnv({ LATTICE_WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow(
      /LATTICE_WEBHOOK_TIMEOUT_MS: .*got "soon"/,
    );
  });

  it('treats an empty URL as unset', () => {
    expect(parseControllerEnv({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });

  it('refuses blank and malformed numbers instead of reading them as 0 or hex', () => {
    const problemsOf = (env: NodeJS.ProcessEnv) => {
      try {
        parseControllerEnv(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    for (const name of [
      'SHUTDOWN_GRACE_MS',
      'LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS',
      'LATTICE_WEBHOOK_MAX_ATTEMPTS',
    ]) {
      for (const value of ['', '  ', '0x10', '1e3', '2.5', 'NaN', 'Infinity', '-1', '99999999999999999999']) {
        const problems = problemsOf({ [name]: value });
        // One line per problem, naming the variable and what was given.
        expect({ name, value, problems }).toEqual({
          name,
          value,
          problems: [expect.stringMatching(new RegExp(`^${name}: expected `))],
        });
        expect(problems[0]!.endsWith(`(got ${JSON.stringify(value)})`)).toBe(true);
      }
    }
    expect(parseControllerEnv({ SHUTDOWN_GRACE_MS: ' 250 ' }).SHUTDOWN_GRACE_MS).toBe(250);
    expect(
      parseControllerEnv({ LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS: '0' })
        .LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS,
    ).toBe(0);
  });

  it('names each malformed CA, SLO and webhook variable on its own line', () => {
    const cases: Record<string, string> = {
      LATTICE_CA_ROOT_KEY_ALGORITHM: 'rsa-4096',
      LATTICE_CA_ROOT_VALIDITY_DAYS: '29',
      LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS: 'a year',
      LATTICE_CA_INTERMEDIATE_MIN_RSA_BITS: '2048.0',
      LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS: '31536001',
      LATTICE_SLO_EVALUATION_INTERVAL_SECONDS: '',
      LATTICE_SLO_RECOMPUTE_MINUTES: '-5',
      LATTICE_WEBHOOK_TIMEOUT_MS: '99',
      LATTICE_WEBHOOK_MAX_ATTEMPTS: '26',
      LATTICE_WEBHOOK_BACKOFF_SECONDS: '1.5',
      LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes',
    };
    let problems: string[] = [];
    try {
      parseControllerEnv(cases);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(Object.keys(cases).length);
    for (const [name, value] of Object.entries(cases)) {
      const line = problems.find((problem) => problem.startsWith(`${name}: `));
      expect({ name, line }).toEqual({
        name,
        line: expect.stringContaining(`(got ${JSON.stringify(value)})`),
      });
      expect(line).not.toContain('\n');
    }
  });
  it('defaults and bounds the authentication and Register rate limits', () => {
    const env = parseControllerEnv({});
    expect(env.LATTICE_AUTH_FAILURES_PER_MINUTE).toBe(30);
    expect(env.LATTICE_AUTH_NEGATIVE_CACHE_SECONDS).toBe(30);
    expect(env.LATTICE_REGISTER_PER_MINUTE_PER_PEER).toBe(30);
    expect(env.LATTICE_REGISTER_PER_MINUTE_PER_CLUSTER).toBe(10);
    expect(
      parseControllerEnv({ LATTICE_AUTH_NEGATIVE_CACHE_SECONDS: '0' }).LATTICE_AUTH_NEGATIVE_CACHE_SECONDS,
    ).toBe(0);
    expect(() => parseControllerEnv({ LATTICE_AUTH_FAILURES_PER_MINUTE: '0' })).toThrow(
      'LATTICE_AUTH_FAILURES_PER_MINUTE: expected at least 1 (got "0")',
    );
    expect(() => parseControllerEnv({ LATTICE_REGISTER_PER_MINUTE_PER_PEER: 'many' })).toThrow(
      'LATTICE_REGISTER_PER_MINUTE_PER_PEER: expected a whole number',
    );
  });

  it('trusts no proxy by default and accepts hop counts, presets, addresses and CIDR ranges', () => {
    expect(parseControllerEnv({}).LATTICE_TRUST_PROXY).toBe(false);
    expect(parseControllerEnv({ LATTICE_TRUST_PROXY: 'false' }).LATTICE_TRUST_PROXY).toBe(false);
    expect(parseControllerEnv({ LATTICE_TRUST_PROXY: '1' }).LATTICE_TRUST_PROXY).toBe(1);
    expect(
      parseControllerEnv({ LATTICE_TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8,192.0.2.7' })
        .LATTICE_TRUST_PROXY,
    ).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
    for (const value of ['true', 'everything', '10.0.0.0/33', 'loopback,']) {
      expect(() => parseControllerEnv({ LATTICE_TRUST_PROXY: value })).toThrow(
        'LATTICE_TRUST_PROXY: expected "false"',
      );
    }
  });

  it('serves metrics on their own port, validated and distinct from the API and gRPC ports', () => {
    expect(parseControllerEnv({})).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '0.0.0.0' });
    expect(parseControllerEnv({ METRICS_PORT: '9100', METRICS_HOST: '127.0.0.1' })).toMatchObject({
      METRICS_PORT: 9100,
      METRICS_HOST: '127.0.0.1',
    });
    expect(() => parseControllerEnv({ METRICS_PORT: '70000' })).toThrow(
      /METRICS_PORT: expected at most 65535/,
    );
    expect(() => parseControllerEnv({ METRICS_PORT: '8080' })).toThrow(
      /METRICS_PORT: must differ from PORT .*\(got 8080\)/,
    );
    expect(() => parseControllerEnv({ GRPC_PORT: '9464' })).toThrow(
      /METRICS_PORT: must differ from GRPC_PORT/,
    );
  });
});
