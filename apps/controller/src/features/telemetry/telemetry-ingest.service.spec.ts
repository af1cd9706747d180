import type { TelemetryBatch__Output } from '@lattice/proto';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import type { RuntimeConfig } from '../../platform/config/runtime-config.types';
import type { RollupStateStore } from './rollup-state.store';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { TelemetryMetrics } from './telemetry.metrics';
import { TelemetryIngestService } from './telemetry-ingest.service';
import type { TelemetryVersionStore } from './telemetry-version.store';
import type { TelemetryRepository } from './telemetry.repository';

const NOW = new Date('2026-11-26T12:00:30Z');

function batch(batchId: string): TelemetryBatch__Output {
  return {
    batchId,
    items: [
      {
        minuteUnixMs: Date.parse('2026-11-26T11:59:00Z'),
        sourceCluster: '',
        sourceNamespace: 'shop',
        sourceService: 'web',
        destinationNamespace: 'shop',
        destinationService: 'cart',
        requests: 10,
        errors: 1,
        latency: null,
      },
    ],
  } as unknown as TelemetryBatch__Output;
}

describe('TelemetryIngestService', () => {
  it('runs at most LATTICE_TELEMETRY_INGEST_CONCURRENCY transactions at once; batches that wait are stored together', async () => {
    let storing = 0;
    let mostAtOnce = 0;
    const groups: string[][] = [];
    const finishers: (() => void)[] = [];
    const repository = {
      insertBatches: (batches: { batchId: string }[]) => {
        storing += 1;
        mostAtOnce = Math.max(mostAtOnce, storing);
        groups.push(batches.map((one) => one.batchId));
        return new Promise<boolean[]>((resolve) =>
          finishers.push(() => {
            storing -= 1;
            // The second of the group is reported a duplicate: the answer is per batch.
            resolve(batches.map((one) => one.batchId !== 'b-3'));
          }),
        );
      },
    } as unknown as TelemetryRepository;
    const ingest = new TelemetryIngestService(
      repository,
      { target: async () => null } as unknown as RollupStateStore,
      { raise: async () => undefined } as unknown as TelemetryVersionStore,
      { env: parseControllerEnv({ LATTICE_TELEMETRY_INGEST_CONCURRENCY: '2' }) } as RuntimeConfig,
      new TelemetryMetrics(new MetricsService()),
    );

    const results = Array.from({ length: 5 }, (_, i) => ingest.ingest('t', `c-${i}`, batch(`b-${i}`), NOW));
    const flush = () => new Promise((resolve) => setImmediate(resolve));
    await flush();
    expect(storing).toBe(2);
    expect(groups).toHaveLength(2);
    while (finishers.length > 0) {
      finishers.shift()?.();
      await flush();
    }
    await expect(Promise.all(results)).resolves.toEqual([
      { duplicate: false, accepted: 1 },
      { duplicate: false, accepted: 1 },
      { duplicate: false, accepted: 1 },
      { duplicate: true, accepted: 0 },
      { duplicate: false, accepted: 1 },
    ]);
    expect(mostAtOnce).toBe(2);
    // The first two started alone; the three that waited went into the next free transaction.
    expect(groups).toEqual([['b-0'], ['b-1'], ['b-2', 'b-3', 'b-4']]);
  });
});
