import fs from 'node:fs';
import type { Command } from 'commander';
import { ApiError } from '../client';
import { CliError, EXIT } from '../exit-codes';
import { parseDuration, progress, sleep, type CliIo } from '../io';
import { resourcePath } from '../target';
import type { LiveDocument } from './resources';
import { clientFor } from './session';

interface Bootstrap {
  token: string;
  expiresAt: string;
  controller: string;
  controllerCaPem: string;
  command: string;
}

function labelsOf(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((value) => {
      const at = value.indexOf('=');
      if (at <= 0) throw new CliError(`--label ${value}: write key=value`, EXIT.USAGE);
      return [value.slice(0, at), value.slice(at + 1)];
    }),
  );
}

export function registerCluster(program: Command, io: CliIo): void {
  const cluster = program.command('cluster').description('register clusters and install their agents');
  cluster
    .command('register')
    .description(
      'register a cluster (or get a new one-time token for an existing one), print how to install its agent, and wait until the agent connects',
    )
    .argument('<name>', 'the cluster name (a DNS label)')
    .option('--east-west-address <address>', "the cluster's east-west gateway address (port 15443)")
    .option('--network <name>', "the cluster's Istio network (topology.istio.io/network)")
    .option('--region <region>', "region of the cluster's nodes (local-first failover)")
    .option('--zone <zone>', "zone of the cluster's nodes")
    .option(
      '--east-west-gateway-selector <key=value...>',
      'labels of the east-west gateway pods (default istio=eastwestgateway)',
      [],
    )
    .option('--no-manage-east-west-gateway', 'use an existing east-west Gateway instead of rendering one')
    .option('-l, --label <key=value...>', 'cluster labels', [])
    .option('--ca-file <file>', 'where to write the controller CA the agent trusts', 'lattice-ca.pem')
    .option('--timeout <duration>', 'how long to wait for the agent', '10m')
    .option('--no-wait', 'print the install commands and return')
    .action(
      async (
        name: string,
        options: {
          eastWestAddress?: string;
          network?: string;
          region?: string;
          zone?: string;
          eastWestGatewaySelector: string[];
          manageEastWestGateway: boolean;
          label: string[];
          caFile: string;
          timeout: string;
          wait: boolean;
        },
        command: Command,
      ) => {
        const timeoutMs = parseDuration(options.timeout);
        const client = clientFor(command, io);
        const ref = { kind: 'Cluster' as const, name };
        const { route } = resourcePath(ref);
        const labels = labelsOf(options.label);
        let bootstrap: Bootstrap;
        let created = true;
        try {
          // Imperative, like POST /v1/clusters: the cluster is not owned by an apply set, so prune never removes it.
          ({ bootstrap } = await client.request<{ bootstrap: Bootstrap }>('POST', 'v1/clusters', {
            body: {
              name,
              ...(options.eastWestAddress ? { eastWestAddress: options.eastWestAddress } : {}),
              ...(options.label.length > 0 ? { labels } : {}),
              ...(options.network ? { network: options.network } : {}),
              ...(options.region ? { region: options.region } : {}),
              ...(options.zone ? { zone: options.zone } : {}),
              ...(options.eastWestGatewaySelector.length > 0
                ? { eastWestGatewaySelector: labelsOf(options.eastWestGatewaySelector) }
                : {}),
              ...(options.manageEastWestGateway ? {} : { eastWestGatewayManaged: false }),
            },
          }));
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 409)) throw error;
          // Already registered: a fresh token (older unused ones stop working).
          created = false;
          const live = await client.request<LiveDocument & { metadata: { id: string } }>('GET', route);
          bootstrap = await client.request<Bootstrap>(
            'POST',
            `v1/clusters/${live.metadata.id}/bootstrap-tokens`,
          );
        }
        fs.writeFileSync(options.caFile, bootstrap.controllerCaPem);
        io.out(
          `Cluster ${name} ${created ? 'registered' : 'exists; issued a new bootstrap token'}.\n` +
            `The controller CA is in ${options.caFile}. Start the agent in the cluster with (the token works once, until ${bootstrap.expiresAt}):\n\n` +
            `  ${bootstrap.command}\n\n`,
        );
        if (!options.wait) return;
        const waiting = progress(io, `Waiting for the agent of ${name} to connect…`);
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const live = await client.request<LiveDocument>('GET', route);
          const status = String(live.status?.status ?? 'UNKNOWN');
          if (status === 'CONNECTED') {
            waiting.succeed(
              `Cluster ${name} is connected (agent ${String(live.status?.agentVersion ?? 'unknown')}).`,
            );
            return;
          }
          if (Date.now() >= deadline) {
            waiting.fail(`Cluster ${name} is still ${status} after ${options.timeout}.`);
            throw new CliError(`timed out waiting for the agent of ${name} to connect`, EXIT.TIMEOUT);
          }
          waiting.update(`Waiting for the agent of ${name} to connect (status ${status})…`);
          await sleep(1000);
        }
      },
    );
}
