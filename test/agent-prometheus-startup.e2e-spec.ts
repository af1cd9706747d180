// The agent process with --telemetry-prometheus-url: a URL that answers but is not a Prometheus
// stops it at start with a log line saying what to give instead; an unreachable Prometheus does
// not (it may start after the agent). No controller is needed: the URL is checked before the agent
// connects.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentProcess } from './support/agent-process';
import { eventually } from './support/grpc-agent-client';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('agent start-up with a Prometheus telemetry URL', () => {
  let grafana: http.Server;
  let grafanaUrl: string;
  const agents: AgentProcess[] = [];

  const agentWith = (prometheusUrl: string): AgentProcess => {
    const agent = new AgentProcess('east', {
      controllerAddress: () => '127.0.0.1:1',
      caPem: CA,
      bootstrapToken: 'lbt_unused',
      extraArgs: ['--telemetry-prometheus-url', prometheusUrl],
    });
    agent.writeInventory({ namespaces: [], services: [] });
    agents.push(agent);
    return agent;
  };

  beforeAll(async () => {
    // What users paste by mistake: a dashboard's address, answering HTML on every path.
    grafana = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>Grafana</title>');
    });
    await new Promise<void>((resolve) => grafana.listen(0, '127.0.0.1', resolve));
    grafanaUrl = `http://127.0.0.1:${(grafana.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await new Promise((resolve) => grafana.close(resolve));
  });

  it('stops with exit status 2 and a JSON log line when the URL is not a Prometheus', async () => {
    const agent = agentWith(grafanaUrl);
    agent.start();
    expect(await agent.exited(30_000)).toBe(2);
    const lines = agent.logs.trim().split('\n');
    const record = JSON.parse(lines[lines.length - 1]!);
    expect(record).toMatchObject({
      level: 50,
      msg: 'agent could not start',
      err:
        `--telemetry-prometheus-url: ${grafanaUrl}/ is not a Prometheus server: ` +
        `GET ${grafanaUrl}/api/v1/status/buildinfo answered something other than JSON (text/html); ` +
        'give the base URL of the Prometheus that scrapes the mesh, e.g. http://prometheus.istio-system:9090',
    });
  });

  it('keeps running when Prometheus is not reachable yet, saying so', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
    const agent = agentWith(`http://127.0.0.1:${port}`);
    agent.start();
    await eventually(
      async () => agent.logs,
      (logs) => logs.includes('Prometheus is not reachable yet'),
      30_000,
    );
    expect(await agent.exited(3_000)).toBe('running');
    const record = JSON.parse(
      agent.logs.split('\n').find((line) => line.includes('Prometheus is not reachable yet'))!,
    );
    expect(record).toMatchObject({
      level: 40,
      url: `http://127.0.0.1:${port}/`,
      err: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
