import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import { parseDuration, progress, sleep, type CliIo } from '../io';
import { parseTarget, requireName, resourcePath } from '../target';
import type { LiveDocument } from './resources';
import { clientFor } from './session';

interface ClusterConvergence {
  name: string;
  status: string;
  desiredVersion: number;
  appliedVersion: number;
  recomputationDue: boolean;
  caIssued: boolean;
  nack?: string;
  converged: boolean;
}

/** What is still missing, in words: "east applied 3 of 4; west rejected version 2: …". */
function lagging(clusters: readonly ClusterConvergence[]): string {
  return clusters
    .filter((cluster) => !cluster.converged)
    .map((cluster) =>
      cluster.nack !== undefined
        ? `${cluster.name} rejected version ${cluster.desiredVersion}: ${cluster.nack}`
        : !cluster.caIssued
          ? `${cluster.name} awaits its intermediate CA`
          : cluster.recomputationDue
            ? `${cluster.name} awaits its new configuration`
            : `${cluster.name} (${cluster.status}) applied ${cluster.appliedVersion} of ${cluster.desiredVersion}`,
    )
    .join('; ');
}

export function registerWait(program: Command, io: CliIo): void {
  program
    .command('wait')
    .description(
      'wait until gns/NAME is converged (every member cluster applied the newest configuration) or cluster/NAME is connected',
    )
    .argument('<target>', 'gns/<name> or cluster/<name>')
    .requiredOption('--for <condition>', 'converged (gns) or connected (cluster)')
    .option('--timeout <duration>', 'give up after this long (exit code 7)', '5m')
    .option('--interval <duration>', 'time between checks', '1s')
    .action(
      async (
        targetText: string,
        options: { for: string; timeout: string; interval: string },
        command: Command,
      ) => {
        const ref = requireName(parseTarget(targetText, undefined, undefined));
        const wanted =
          ref.kind === 'GlobalNamespace' ? 'converged' : ref.kind === 'Cluster' ? 'connected' : null;
        if (!wanted || options.for !== wanted)
          throw new CliError(
            'wait supports gns/<name> --for=converged and cluster/<name> --for=connected',
            EXIT.USAGE,
          );
        const timeoutMs = parseDuration(options.timeout);
        const intervalMs = parseDuration(options.interval);
        const client = clientFor(command, io);
        const { route } = resourcePath(ref);
        const label = `${ref.kind === 'GlobalNamespace' ? 'gns' : 'cluster'}/${ref.name}`;
        const waiting = progress(io, `Waiting for ${label} to be ${wanted}…`);
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const live = await client.request<LiveDocument>('GET', route);
          let done: boolean;
          let detail: string;
          if (ref.kind === 'GlobalNamespace') {
            const convergence = (live.status?.convergence ?? { converged: false, clusters: [] }) as {
              converged: boolean;
              clusters: ClusterConvergence[];
            };
            done = convergence.converged;
            detail = done ? `${convergence.clusters.length} member clusters` : lagging(convergence.clusters);
          } else {
            detail = String(live.status?.status ?? 'UNKNOWN');
            done = detail === 'CONNECTED';
          }
          if (done) {
            waiting.succeed(`${label} is ${wanted} (${detail}).`);
            return;
          }
          if (Date.now() >= deadline) {
            waiting.fail(`${label} is not ${wanted} after ${options.timeout}: ${detail}`);
            throw new CliError(`timed out waiting for ${label} to be ${wanted}`, EXIT.TIMEOUT);
          }
          waiting.update(`Waiting for ${label} to be ${wanted}: ${detail}`);
          await sleep(intervalMs);
        }
      },
    );
}
