import { AgentConfigError, parseAgentConfig, resolveControllerCa } from './agent-config';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const minimal = [
  '--controller',
  'ctl.example.com:50051',
  '--inventory-file',
  'inv.yaml',
  '--output-dir',
  'out',
];

function parse(argv: string[], env: Record<string, string> = {}) {
  const config = parseAgentConfig(argv, env);
  if (config === 'help') throw new Error('unexpected help');
  return config;
}

describe('parseAgentConfig', () => {
  it('applies defaults', () => {
    expect(parse(minimal)).toEqual({
      controllerAddress: 'ctl.example.com:50051',
      bootstrapToken: undefined,
      clusterName: undefined,
      controllerCa: undefined,
      stateDir: './.lattice-agent',
      inventory: { kind: 'file', path: 'inv.yaml' },
      sink: { kind: 'directory', path: 'out' },
      heartbeatSeconds: 10,
      kubeTimeoutSeconds: 30,
      telemetry: undefined,
      telemetryIntervalSeconds: 15,
      autoscalingIntervalSeconds: 15,
      logLevel: 'info',
      httpPort: 9464,
      eastWestGatewaySelector: 'istio=eastwestgateway',
      meshRefreshSeconds: 60,
    });
  });

  it('reads the autoscaling interval, 1 to 300 seconds', () => {
    expect(parse([...minimal, '--autoscaling-interval-seconds', '1']).autoscalingIntervalSeconds).toBe(1);
    expect(parse(minimal, { LATTICE_AUTOSCALING_INTERVAL_SECONDS: '30' }).autoscalingIntervalSeconds).toBe(
      30,
    );
    expect(() => parse([...minimal, '--autoscaling-interval-seconds', '0'])).toThrow(
      /--autoscaling-interval-seconds: must be at least 1/,
    );
  });

  it('reads the east-west gateway selector and the mesh refresh interval', () => {
    expect(
      parse([...minimal, '--east-west-gateway-selector', 'app=ewgw,net=a']).eastWestGatewaySelector,
    ).toBe('app=ewgw,net=a');
    expect(parse(minimal, { LATTICE_MESH_REFRESH_SECONDS: '300' }).meshRefreshSeconds).toBe(300);
    expect(() => parse([...minimal, '--east-west-gateway-selector', 'istio in (a)'])).toThrow(
      /--east-west-gateway-selector: must be an equality label selector/,
    );
    expect(() => parse([...minimal, '--mesh-refresh-seconds', '0'])).toThrow(
      /--mesh-refresh-seconds: must be at least 1/,
    );
  });

  it('reads the health and metrics port, 0 meaning any free port', () => {
    expect(parse([...minimal, '--http-port', '0']).httpPort).toBe(0);
    expect(parse(minimal, { LATTICE_HTTP_PORT: '8080' }).httpPort).toBe(8080);
    expect(() => parse([...minimal, '--http-port', '70000'])).toThrow(/--http-port: must be at most 65535/);
    expect(() => parse(minimal, { LATTICE_HTTP_PORT: 'http' })).toThrow(
      /LATTICE_HTTP_PORT: must be a port number \(got "http"\)/,
    );
  });

  it('chooses one telemetry source and validates it', () => {
    expect(parse([...minimal, '--telemetry-synthetic', 'traffic.yaml']).telemetry).toEqual({
      kind: 'synthetic',
      path: 'traffic.yaml',
    });
    expect(
      parse([...minimal], { LATTICE_TELEMETRY_PROMETHEUS_URL: 'http://prometheus.istio-system:9090' })
        .telemetry,
    ).toEqual({
      kind: 'prometheus',
      url: 'http://prometheus.istio-system:9090',
    });
    expect(() => parse([...minimal, '--telemetry-prometheus-url', 'ftp://x'])).toThrow(
      /--telemetry-prometheus-url: must be an http\(s\) URL/,
    );
    expect(() =>
      parse([...minimal, '--telemetry-synthetic', 'a.yaml', '--telemetry-prometheus-url', 'http://x']),
    ).toThrow(/exclude each other/);
  });

  it('reads the environment, and flags win over it', () => {
    const config = parse(['--heartbeat-seconds', '5'], {
      LATTICE_CONTROLLER: '10.0.0.1:443',
      LATTICE_BOOTSTRAP_TOKEN: 'tok',
      LATTICE_CLUSTER_NAME: 'east-1',
      LATTICE_CA_CERT: PEM,
      LATTICE_INVENTORY: 'kubernetes',
      LATTICE_SINK: 'kubernetes',
      LATTICE_HEARTBEAT_SECONDS: '30',
      LATTICE_KUBE_TIMEOUT_SECONDS: '7',
      LATTICE_LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      controllerAddress: '10.0.0.1:443',
      bootstrapToken: 'tok',
      clusterName: 'east-1',
      controllerCa: { pem: PEM },
      inventory: { kind: 'kubernetes' },
      sink: { kind: 'kubernetes' },
      heartbeatSeconds: 5,
      kubeTimeoutSeconds: 7,
      logLevel: 'debug',
    });
    expect(parse([...minimal, '--ca-file', '/etc/ca.pem'], { LATTICE_CA_CERT: PEM }).controllerCa).toEqual({
      file: '/etc/ca.pem',
    });
  });

  it('returns help for --help', () => {
    expect(parseAgentConfig(['--help'], {})).toBe('help');
  });

  it.each([
    [[], {}, '--controller / LATTICE_CONTROLLER is required'],
    [['--controller', 'nohost'], {}, '--controller: must be host:port (got "nohost")'],
    [['--controller', 'h:70000'], {}, '--controller: port must be 1-65535'],
    [
      minimal,
      { LATTICE_HEARTBEAT_SECONDS: 'often' },
      'LATTICE_HEARTBEAT_SECONDS: must be a whole number of seconds (got "often")',
    ],
    [[...minimal, '--heartbeat-seconds', '0'], {}, '--heartbeat-seconds: must be at least 1 (got "0")'],
    [
      [...minimal, '--kube-timeout-seconds', 'soon'],
      {},
      '--kube-timeout-seconds: must be a whole number of seconds (got "soon")',
    ],
    [[...minimal, '--log-level', 'loud'], {}, '--log-level: '],
    [[...minimal, '--cluster-name', 'East_1'], {}, '--cluster-name: must be a DNS label'],
    [minimal, { LATTICE_CA_CERT: 'not pem' }, 'LATTICE_CA_CERT: must be a PEM certificate'],
    [
      ['--controller', 'h:1', '--output-dir', 'o'],
      {},
      'an inventory source is required: --inventory-file <path> or --inventory=kubernetes',
    ],
    [
      ['--controller', 'h:1', '--inventory-file', 'i'],
      {},
      'an apply sink is required: --output-dir <dir> or --sink=kubernetes',
    ],
    [
      [...minimal, '--inventory', 'kubernetes'],
      {},
      '--inventory-file and --inventory=kubernetes exclude each other',
    ],
    [[...minimal, '--sink', 'kubernetes'], {}, '--output-dir and --sink=kubernetes exclude each other'],
    [[...minimal, '--sink', 'tape'], {}, '--sink: '],
    [[...minimal, '--verbose'], {}, "Unknown option '--verbose'"],
  ] as Array<[string[], Record<string, string>, string]>)(
    'stops with one clear line naming the flag (%#)',
    (argv, env, message) => {
      let thrown: unknown;
      try {
        parseAgentConfig(argv, env);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AgentConfigError);
      expect((thrown as Error).message).toContain(message);
      expect((thrown as Error).message).not.toContain('\n');
    },
  );
});

describe('resolveControllerCa', () => {
  it('reads --ca-file and checks it holds a certificate', async () => {
    const config = parse([...minimal, '--ca-file', '/ca.pem']);
    await expect(resolveControllerCa(config, async () => PEM)).resolves.toBe(PEM);
    await expect(resolveControllerCa(config, async () => 'junk')).rejects.toThrow(
      '--ca-file: /ca.pem holds no PEM certificate',
    );
    await expect(
      resolveControllerCa(config, async () => {
        throw new Error('ENOENT: no such file');
      }),
    ).rejects.toThrow('--ca-file: cannot read /ca.pem: ENOENT: no such file');
  });

  it('passes PEM text through and is undefined without a CA', async () => {
    await expect(resolveControllerCa(parse(minimal, { LATTICE_CA_CERT: PEM }), async () => '')).resolves.toBe(
      PEM,
    );
    await expect(resolveControllerCa(parse(minimal), async () => '')).resolves.toBeUndefined();
  });
});
