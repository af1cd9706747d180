import { DDSketch, unpackSketch } from '@lattice/domain';
import type { TelemetryItem } from '@lattice/proto';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import {
  type PendingTelemetryBatch,
  TelemetrySender,
  type TelemetryOutlet,
} from './telemetry-sender.service';
import type { TelemetrySource } from './telemetry-source.port';

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

class RecordingOutlet implements TelemetryOutlet {
  readonly sent: PendingTelemetryBatch[] = [];
  isOpen = true;
  send(batch: PendingTelemetryBatch): void {
    this.sent.push(batch);
  }
  ids(): string[] {
    return this.sent.map((batch) => batch.batchId);
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

    await sender.collect(new Date(0));
    expect(sender.unacknowledged().map((batch) => [batch.batchId, batch.items.length])).toEqual([
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
    await sender.collect(new Date());
    expect(sender.unacknowledged()).toEqual([]);
  });

  it('uses random UUIDs by default', async () => {
    const sender = new TelemetrySender(new QueueSource([[item(1)], [item(2)]]), new RecordingLogger());
    await sender.collect(new Date());
    await sender.collect(new Date());
    const [a, b] = sender.unacknowledged();
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

  it('sends nothing while no stream is open and the window once one is', async () => {
    const sender = new TelemetrySender(
      new QueueSource([[item(1), item(2), item(3)]]),
      new RecordingLogger(),
      {
        maxItemsPerBatch: 1,
        maxInFlightBatches: 2,
        newBatchId: sequentialIds(),
      },
    );
    await sender.collect(new Date());
    const outlet = new RecordingOutlet();
    outlet.isOpen = false;
    sender.flush(outlet);
    expect(outlet.sent).toEqual([]);

    outlet.isOpen = true;
    sender.flush(outlet);
    expect(outlet.ids()).toEqual(['batch-1', 'batch-2']);
  });

  it('frees the window on an acknowledgement, also of a refused batch, which it logs and drops', async () => {
    const logger = new RecordingLogger();
    const sender = new TelemetrySender(new QueueSource([[item(1), item(2), item(3)]]), logger, {
      maxItemsPerBatch: 1,
      maxInFlightBatches: 1,
      newBatchId: sequentialIds(),
    });
    await sender.collect(new Date());
    const outlet = new RecordingOutlet();
    sender.flush(outlet);

    sender.onAcknowledgement(
      { batchId: 'batch-1', duplicate: false, rejectedReason: '', acceptsPackedLatency: false },
      outlet,
    );
    expect(outlet.ids()).toEqual(['batch-1', 'batch-2']);
    expect(logger.messages('warn')).toEqual([]);

    sender.onAcknowledgement(
      { batchId: 'batch-2', duplicate: false, rejectedReason: 'too old', acceptsPackedLatency: false },
      outlet,
    );
    expect(outlet.ids()).toEqual(['batch-1', 'batch-2', 'batch-3']);
    expect(logger.messages('warn')).toEqual(['controller refused a telemetry batch']);
    expect(sender.unacknowledged().map((batch) => batch.batchId)).toEqual(['batch-3']);

    sender.onAcknowledgement(null, outlet);
    expect(outlet.sent).toHaveLength(3);
  });

  describe('on its interval', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('collects at the clock it is given and sends after each collection until stopped', async () => {
      const source = new QueueSource([[item(1)], [item(2)], [item(3)]]);
      const sender = new TelemetrySender(source, new RecordingLogger(), { newBatchId: sequentialIds() });
      const outlet = new RecordingOutlet();
      sender.start(500, outlet, () => 42_000);

      await jest.advanceTimersByTimeAsync(499);
      expect(source.calls).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(source.calls).toEqual([new Date(42_000)]);
      expect(outlet.ids()).toEqual(['batch-1']);
      await jest.advanceTimersByTimeAsync(500);
      expect(outlet.ids()).toEqual(['batch-1', 'batch-2']);

      sender.stop();
      await jest.advanceTimersByTimeAsync(5000);
      expect(source.calls).toHaveLength(2);
    });

    it('does not overlap a slow collection and survives a failing one', async () => {
      let release: (items: TelemetryItem[]) => void = () => undefined;
      let calls = 0;
      const source: TelemetrySource = {
        collect: () => {
          calls += 1;
          if (calls === 1) return new Promise<TelemetryItem[]>((resolve) => (release = resolve));
          if (calls === 2) return Promise.reject(new Error('scrape timed out'));
          return Promise.resolve([item(3)]);
        },
      };
      const logger = new RecordingLogger();
      const sender = new TelemetrySender(source, logger, { newBatchId: sequentialIds() });
      const outlet = new RecordingOutlet();
      sender.start(100, outlet);

      await jest.advanceTimersByTimeAsync(350);
      expect(calls).toBe(1);
      release([item(1)]);
      await jest.advanceTimersByTimeAsync(0);
      expect(outlet.ids()).toEqual(['batch-1']);

      await jest.advanceTimersByTimeAsync(100);
      expect(calls).toBe(2);
      expect(logger.messages('warn')).toEqual(['telemetry collection failed']);
      await jest.advanceTimersByTimeAsync(100);
      expect(outlet.ids()).toEqual(['batch-1', 'batch-2']);
      sender.stop();
    });
  });

  it('sends packed sketches once the controller accepts them, and LatencySketch again on a new stream', async () => {
    const sketch = new DDSketch().add(12).add(30).toJSON();
    const withSketch = (minute: number): TelemetryItem => ({ ...item(minute), latency: sketch });
    const source = new QueueSource([[withSketch(1)], [withSketch(2)], [withSketch(3)]]);
    const sender = new TelemetrySender(source, new RecordingLogger(), {
      maxItemsPerBatch: 1,
      maxInFlightBatches: 1,
      newBatchId: sequentialIds(),
    });
    const outlet = new RecordingOutlet();
    for (let round = 0; round < 3; round++) await sender.collect(new Date());
    sender.flush(outlet);
    expect(outlet.sent[0]!.items[0]).toMatchObject({ latency: sketch });
    expect(outlet.sent[0]!.items[0]).not.toHaveProperty('latencyPacked');

    const ack = { duplicate: false, rejectedReason: '', acceptsPackedLatency: true };
    sender.onAcknowledgement({ ...ack, batchId: 'batch-1' }, outlet);
    const packed = outlet.sent[1]!.items[0]!;
    expect(packed).not.toHaveProperty('latency');
    expect(unpackSketch(packed.latencyPacked as Buffer)).toEqual(sketch);
    // The pending batch itself keeps its sketch (a resend on another stream may need it).
    expect(sender.unacknowledged()[0]!.items[0]).toMatchObject({ latency: sketch });

    sender.streamStarted();
    sender.flush(outlet);
    expect(outlet.sent[2]!.batchId).toBe('batch-2');
    expect(outlet.sent[2]!.items[0]).toMatchObject({ latency: sketch });
  });
});
