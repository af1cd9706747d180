import { parseSimConfig, SimConfigError } from './sim-config';

const required = [
  '--controller=127.0.0.1:50051',
  '--api=http://127.0.0.1:8080',
  '--token=lat_x_y',
  '--agents=5',
];

function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    parseSimConfig(argv, env);
  } catch (error) {
    if (error instanceof SimConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a SimConfigError');
}

describe('parseSimConfig', () => {
  it('applies the defaults', () => {
    const config = parseSimConfig(required, {}, { keyCacheDirectory: '/tmp/keys' });
    expect(config).toMatchObject({
      controllerAddress: '127.0.0.1:50051',
      apiUrl: 'http://127.0.0.1:8080',
      tenantToken: 'lat_x_y',
      operatorToken: undefined,
      agents: 5,
      services: 4,
      extraNamespaces: 1,
      telemetryIntervalSeconds: 15,
      telemetryReplayMinutes: 0,
      heartbeatSeconds: 10,
      keyPoolSize: 5,
      keyCacheDirectory: '/tmp/keys',
      connectConcurrency: 50,
      globalNamespace: undefined,
      durationSeconds: 0,
      logLevel: 'warn',
    });
    if (config === 'help') throw new Error('unexpected help');
    expect(config.clusterPrefix).toMatch(/^sim-[0-9a-f]{4}$/);
  });

  it('takes the controller, API and tokens from the environment', () => {
    const config = parseSimConfig(['--agents', '2'], {
      LATTICE_CONTROLLER: 'ctl.example:443',
      LATTICE_API_URL: 'https://ctl.example/',
      LATTICE_OPERATOR_TOKEN: 'operator-secret',
    });
    expect(config).toMatchObject({
      controllerAddress: 'ctl.example:443',
      apiUrl: 'https://ctl.example',
      operatorToken: 'operator-secret',
      tenantToken: undefined,
    });
  });

  it('prefers the tenant token over the operator token', () => {
    const config = parseSimConfig([...required, '--operator-token=op'], {});
    expect(config).toMatchObject({ tenantToken: 'lat_x_y', operatorToken: undefined });
  });

  it('returns help for --help', () => {
    expect(parseSimConfig(['--help'], {})).toBe('help');
  });

  it('lists every missing required flag at once', () => {
    expect(problems([])).toEqual([
      '--controller is required (the agent gRPC endpoint, host:port)',
      '--api is required (the REST base URL, e.g. http://127.0.0.1:8080)',
      '--token (a tenant editor/admin token) or --operator-token (to create a tenant) is required',
      '--agents is required (an integer 1-20000)',
    ]);
  });

  it('names each malformed value', () => {
    const found = problems([
      '--controller=localhost',
      '--api=ftp://x',
      '--token=t',
      '--agents=0',
      '--services=3',
      '--cluster-prefix=Bad_Prefix',
      '--gns=No',
      '--telemetry-rps=-1',
      '--log-level=loud',
      '--heartbeat-seconds=1.5',
    ]);
    expect(found).toEqual([
      '--controller must be host:port, got "localhost"',
      '--api must be an http(s) URL, got "ftp://x"',
      '--agents must be an integer 1-20000, got "0"',
      expect.stringContaining('--cluster-prefix must be lowercase letters'),
      '--services must be an integer 4-500, got "3"',
      '--gns must be a DNS label, got "No"',
      '--heartbeat-seconds must be an integer 1-300, got "1.5"',
      '--telemetry-rps must be a number 0-1000000, got "-1"',
      expect.stringContaining('--log-level must be one of'),
    ]);
  });

  it('refuses flags that do not apply', () => {
    expect(problems([...required, '--tenant=acme'])).toEqual([
      '--tenant only applies with --operator-token (with --token the token decides the tenant)',
    ]);
    expect(problems([...required, '--telemetry-backfill=30'])).toEqual([
      '--telemetry-backfill only applies with --telemetry-replay',
    ]);
  });

  it('refuses unknown flags and positionals with the usage', () => {
    expect(() => parseSimConfig([...required, '--agent=3'], {})).toThrow(
      /Unknown option '--agent'[\s\S]*Usage:/,
    );
    expect(() => parseSimConfig([...required, 'extra'], {})).toThrow(SimConfigError);
  });

  it('turns the key cache off with "none" and bounds the backfill to a week', () => {
    const config = parseSimConfig(
      [...required, '--key-cache=none', '--telemetry-replay=10', '--telemetry-backfill=10080'],
      {},
    );
    expect(config).toMatchObject({
      keyCacheDirectory: undefined,
      telemetryReplayMinutes: 10,
      telemetryBackfillMinutes: 10080,
    });
    expect(problems([...required, '--telemetry-replay=10', '--telemetry-backfill=10081'])).toEqual([
      '--telemetry-backfill must be an integer 1-10080, got "10081"',
    ]);
  });
});
