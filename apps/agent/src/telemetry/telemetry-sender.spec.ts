import type { TelemetryItem } from '@lattice/proto';
import { RecordingLogger } from '../testing/fakes';
import { TelemetrySender, type TelemetrySource } from './telemetry-sender';

function item(minute: number): TelemetryItem {
  return {
    minuteUnixMs: minute * 60_000,
    sourceService: 'web',
    destinationService: 'cart',
    requests: 10,
    errors: 1,
  };
}

class QueueSource implements TelemetrySource {
  readonly calls: Date[] = [];
  constructor(private readonly rounds: TelemetryItem[][]) {}
  async collect(now: Date): Promise<TelemetryItem[]> {
    this.calls.push(now);
    return this.rounds.shift() ?? [];
  }
}

function sequentialIds(): () => string {
  let next = 0;
  return () => `batch-${++next}`;
}

describe('TelemetrySender', () => {
  it('batches items with fresh ids and keeps them until acknowledged', async () => {
    const source = new QueueSource([[item(1), item(2), item(3)], [item(4)]]);
    const sender = new TelemetrySender(source, new RecordingLogger(), {
      maxItemsPerBatch: 2,
      newBatchId: sequentialIds(),
    });

    const first = await sender.collect(new Date(0));
    expect(first.map((batch) => [batch.batchId, batch.items.length])).toEqual([
      ['batch-1', 2],
      ['batch-2', 1],
    ]);
    await sender.collect(new Date(60_000));
    expect(sender.acknowledge('batch-2')).toBe(true);
    expect(sender.acknowledge('batch-2')).toBe(false);
    expect(sender.unacknowledged().map((batch) => batch.batchId)).toEqual(['batch-1', 'batch-3']);
    expect(source.calls).toEqual([new Date(0), new Date(60_000)]);
  });

  it('makes no batch when there is nothing to send', async () => {
    const sender = new TelemetrySender(new QueueSource([[]]), new RecordingLogger());
    await expect(sender.collect(new Date())).resolves.toEqual([]);
    expect(sender.unacknowledged()).toEqual([]);
  });

  it('uses random UUIDs by default', async () => {
    const sender = new TelemetrySender(new QueueSource([[item(1)], [item(2)]]), new RecordingLogger());
    const [a] = await sender.collect(new Date());
    const [b] = await sender.collect(new Date());
    expect(a?.batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a?.batchId).not.toBe(b?.batchId);
  });

  it('drops the oldest batches with a warning when the backlog is full', async () => {
    const logger = new RecordingLogger();
    const source = new QueueSource([[item(1)], [item(2)], [item(3)]]);
    const sender = new TelemetrySender(source, logger, { maxPendingBatches: 2, newBatchId: sequentialIds() });
    await sender.collect(new Date());
    await sender.collect(new Date());
    await sender.collect(new Date());
    expect(sender.unacknowledged().map((batch) => batch.batchId)).toEqual(['batch-2', 'batch-3']);
    expect(logger.messages('warn')).toEqual(['telemetry backlog full; dropped the oldest batches']);
  });

  it('keeps at most the in-flight window sent, sends more as acknowledgements come, and all again on a new stream', async () => {
    const source = new QueueSource([[item(1), item(2), item(3), item(4), item(5)]]);
    const sender = new TelemetrySender(source, new RecordingLogger(), {
      maxItemsPerBatch: 1,
      maxInFlightBatches: 2,
      newBatchId: sequentialIds(),
    });
    await sender.collect(new Date());
    const ids = (batches: { batchId: string }[]) => batches.map((batch) => batch.batchId);

    expect(ids(sender.takeSendable())).toEqual(['batch-1', 'batch-2']);
    expect(sender.takeSendable()).toEqual([]);
    sender.acknowledge('batch-2');
    expect(ids(sender.takeSendable())).toEqual(['batch-3']);

    // The stream broke before batch-1 and batch-3 were acknowledged: they go again, oldest first.
    sender.streamStarted();
    expect(ids(sender.takeSendable())).toEqual(['batch-1', 'batch-3']);
    sender.acknowledge('batch-1');
    sender.acknowledge('batch-3');
    expect(ids(sender.takeSendable())).toEqual(['batch-4', 'batch-5']);
    expect(ids(sender.unacknowledged())).toEqual(['batch-4', 'batch-5']);
  });
});
