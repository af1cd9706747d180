import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { FleetSimulator } from './fleet-simulator.service';
import { parseSimConfig, SIM_USAGE, type SimConfig, SimConfigError } from './sim-config';

function log(message: string): void {
  process.stderr.write(`[sim ${new Date().toISOString()}] ${message}\n`);
}

async function main(): Promise<void> {
  let config: SimConfig;
  let controllerCaPem: string | undefined;
  try {
    const parsed = parseSimConfig(process.argv.slice(2), process.env, {
      keyCacheDirectory: path.join(projectRoot(), '.data/sim-keys'),
    });
    if (parsed === 'help') {
      process.stdout.write(`${SIM_USAGE}\n`);
      return;
    }
    config = parsed;
    if (config.caFile) {
      controllerCaPem = await readFile(config.caFile, 'utf8').catch((error: Error) => {
        throw new SimConfigError(`--ca-file: cannot read ${config.caFile}: ${error.message}`);
      });
    }
  } catch (error) {
    if (error instanceof SimConfigError) {
      process.stderr.write(`lattice-sim: ${error.message.split('\n').join('\nlattice-sim: ')}\n`);
      process.exit(2);
    }
    throw error;
  }

  const fleet = new FleetSimulator(
    {
      controllerAddress: config.controllerAddress,
      apiUrl: config.apiUrl,
      tenantToken: config.tenantToken,
      operatorToken: config.operatorToken,
      tenantName: config.tenantName,
      agents: config.agents,
      clusterPrefix: config.clusterPrefix,
      inventory: { services: config.services, extraNamespaces: config.extraNamespaces, seed: config.seed },
      telemetry: {
        intervalMs: config.telemetryIntervalSeconds * 1000,
        requestsPerSecond: config.telemetryRequestsPerSecond,
        minutesPerReport: config.telemetryReplayMinutes,
        backfillMinutes: config.telemetryBackfillMinutes,
      },
      heartbeatMs: config.heartbeatSeconds * 1000,
      keyPoolSize: config.keyPoolSize,
      keyCacheDirectory: config.keyCacheDirectory,
      connectConcurrency: config.connectConcurrency,
      globalNamespace: config.globalNamespace,
      keepObjects: false,
      logLevel: config.logLevel,
      controllerCaPem,
    },
    log,
  );

  let stopping = false;
  let statusTimer: NodeJS.Timeout | undefined;
  const stop = async (reason: string, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(statusTimer);
    log(`stopping (${reason})`);
    await fleet.stop().catch((error: unknown) => log(`stop failed: ${(error as Error).message}`));
    process.stdout.write(`${JSON.stringify({ event: 'stopped', ...fleet.status() })}\n`);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));

  const startedAt = Date.now();
  try {
    await fleet.provision();
    process.stdout.write(
      `${JSON.stringify({
        event: 'provisioned',
        tenantId: fleet.tenantId ?? null,
        // Printed only when the simulator created the tenant: its admin token, for queries.
        tenantToken: config.operatorToken ? fleet.tenantToken : undefined,
        globalNamespaceId: fleet.globalNamespaceId ?? null,
        clusterPrefix: config.clusterPrefix,
      })}\n`,
    );
    await fleet.start();
  } catch (error) {
    log(`fleet could not start: ${(error as Error).message}`);
    await stop('start failed', 1);
    return;
  }
  process.stdout.write(
    `${JSON.stringify({ event: 'connected', agents: config.agents, startMs: Date.now() - startedAt })}\n`,
  );
  if (config.statusIntervalSeconds > 0) {
    statusTimer = setInterval(() => {
      const memory = process.memoryUsage();
      process.stdout.write(
        `${JSON.stringify({ event: 'status', ...fleet.status(), rssMiB: Math.round(memory.rss / 2 ** 20) })}\n`,
      );
    }, config.statusIntervalSeconds * 1000);
  }
  if (config.durationSeconds > 0)
    setTimeout(() => void stop('duration reached', 0), config.durationSeconds * 1000);
}

main().catch((error: unknown) => {
  process.stderr.write(`lattice-sim: ${(error as Error).message}\n`);
  process.exit(1);
});
