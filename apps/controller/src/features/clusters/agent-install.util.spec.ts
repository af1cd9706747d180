import {
  helmSetValues,
  runWithRecordedTools,
  secretFromKubectl,
} from '../../../../../test/support/install-commands';
import { agentInstall, shellQuote } from './agent-install.util';

const CA = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBdzCCAR2gAwIBAgIUZ3l0ZXN0LWNhLWJ1bmRsZS1vbmU=',
  '-----END CERTIFICATE-----',
  '-----BEGIN CERTIFICATE-----',
  'MIIB\'$(touch /tmp/never)`x`"LATTICE_CA',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

const input = {
  clusterName: 'east-1',
  controllerAddress: 'lattice-grpc.example.com:443',
  controllerCaPem: CA,
  bootstrapToken: 'lbt_AbC-dEf_0123456789abcdefghijklmnopqrstuvwxy',
  chart: 'oci://registry.example.com/charts/lattice-agent',
};

describe('agentInstall', () => {
  it('creates the namespace and the bootstrap Secret with the token and the exact CA, in a real shell', () => {
    const install = agentInstall(input);
    const calls = runWithRecordedTools(install.kubectl);
    expect(calls.map((call) => [call.tool, call.args.slice(0, 2).join(' ')])).toEqual([
      ['kubectl', 'create namespace'],
      ['kubectl', 'apply -f'],
      ['kubectl', '--namespace lattice-system'],
      ['kubectl', 'apply -f'],
    ]);
    expect(calls[0]!.args).toEqual([
      'create',
      'namespace',
      'lattice-system',
      '--dry-run=client',
      '-o',
      'yaml',
    ]);
    const secret = secretFromKubectl(calls[2]!);
    expect(secret).toEqual({
      name: 'lattice-agent-bootstrap',
      namespace: 'lattice-system',
      data: { LATTICE_BOOTSTRAP_TOKEN: input.bootstrapToken, LATTICE_CA_CERT: CA.trimEnd() },
    });
    expect(calls[2]!.args).toContain('--dry-run=client');
  });

  it('installs the chart with string values naming the cluster, the controller and the Secret', () => {
    const install = agentInstall({ ...input, chartVersion: '0.1.0' });
    const [helm, ...rest] = runWithRecordedTools(install.helm);
    expect(rest).toEqual([]);
    expect(helm!.args.slice(0, 4)).toEqual(['upgrade', '--install', 'lattice-agent', input.chart]);
    expect(helm!.args).toEqual(
      expect.arrayContaining(['--version', '0.1.0', '--namespace', 'lattice-system']),
    );
    expect(helmSetValues(helm!)).toEqual(install.values);
    expect(install.values).toEqual({
      clusterName: 'east-1',
      controller: { address: 'lattice-grpc.example.com:443' },
      bootstrap: { existingSecret: 'lattice-agent-bootstrap' },
    });
    expect(install.helm).not.toContain(input.bootstrapToken);
  });

  it('quotes for the shell only what needs it', () => {
    expect(shellQuote('deploy/helm/lattice-agent')).toBe('deploy/helm/lattice-agent');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(runWithRecordedTools(`helm ${shellQuote("it's $HOME `x`")}`)[0]!.args).toEqual(["it's $HOME `x`"]);
  });
});
