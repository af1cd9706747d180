import { DomainError } from '../errors';
import { DDSketch } from './ddsketch';
import { packSketch, unpackSketch } from './packed-sketch';
import { validateTelemetryBatch, type IncomingTelemetryItem } from './telemetry-batch-validation';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const LIMITS = { maxAgeMs: 7 * 86_400_000, maxFutureMs: 300_000, maxItems: 3 };
const item = (overrides: Partial<IncomingTelemetryItem> = {}): IncomingTelemetryItem => ({
  minuteUnixMs: NOW - 60_000,
  sourceNamespace: 'shop',
  sourceService: 'frontend',
  destinationNamespace: 'shop',
  destinationService: 'cart',
  requests: 2,
  errors: 1,
  latency: new DDSketch().add(12).add(30).toJSON(),
  ...overrides,
});

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected the batch to be refused');
}

describe('validateTelemetryBatch', () => {
  it('returns the items with their sketches checked and packed, and exactly their fields', () => {
    const sent = { ...new DDSketch().add(12).add(30).toJSON(), extra: 'ignored' };
    const [valid] = validateTelemetryBatch('b-1', [item({ latency: sent })], NOW, LIMITS);
    expect(unpackSketch(valid!.latencyPacked)).toEqual(new DDSketch().add(12).add(30).toJSON());
    expect(valid).toMatchObject({ requests: 2, errors: 1, destinationService: 'cart' });
    expect(valid).not.toHaveProperty('latency');
  });

  it('takes a packed sketch as it came (no copy, no rebuild)', () => {
    const packed = packSketch(new DDSketch().add(12).add(30).toJSON());
    const [valid] = validateTelemetryBatch(
      'b-1',
      [item({ latency: null, latencyPacked: packed })],
      NOW,
      LIMITS,
    );
    expect(valid!.latencyPacked).toBe(packed);
  });

  it('treats a missing sketch as no latencies', () => {
    const [valid] = validateTelemetryBatch(
      'b-1',
      [item({ requests: 0, errors: 0, latency: null })],
      NOW,
      LIMITS,
    );
    expect(unpackSketch(valid!.latencyPacked)).toEqual(new DDSketch().toJSON());
    // An empty packed field (protobuf's default) is no sketch either.
    const [alsoEmpty] = validateTelemetryBatch(
      'b-1',
      [item({ requests: 0, errors: 0, latency: null, latencyPacked: Buffer.alloc(0) })],
      NOW,
      LIMITS,
    );
    expect(alsoEmpty!.latencyPacked).toEqual(valid!.latencyPacked);
  });

  it("keeps the caller's cluster, '' when an older agent did not send it", () => {
    const [named, unnamed] = validateTelemetryBatch(
      'b-1',
      [item({ sourceCluster: 'west' }), item()],
      NOW,
      LIMITS,
    );
    expect(named?.sourceCluster).toBe('west');
    expect(unnamed?.sourceCluster).toBe('');
  });

  it.each([
    [{ minuteUnixMs: NOW - 59_999 }, 'items[1].minuteUnixMs'],
    [{ minuteUnixMs: NOW - 8 * 86_400_000 }, 'items[1].minuteUnixMs'],
    [{ minuteUnixMs: NOW + 600_000 }, 'items[1].minuteUnixMs'],
    [{ sourceService: '' }, 'items[1].sourceService'],
    [{ sourceCluster: 'x'.repeat(254) }, 'items[1].sourceCluster'],
    [{ destinationNamespace: 'x'.repeat(254) }, 'items[1].destinationNamespace'],
    [{ requests: -1 }, 'items[1].requests'],
    [{ errors: 1.5 }, 'items[1].errors'],
    [{ requests: 1, errors: 2 }, 'items[1].errors'],
    [{ latency: { relativeAccuracy: 0.01 } }, 'items[1].latency'],
    [{ latency: { ...new DDSketch().add(5).toJSON(), relativeAccuracy: 0.02 } }, 'items[1].latency'],
    [{ latency: { ...new DDSketch().add(5).toJSON(), counts: [1, -1] } }, 'items[1].latency'],
    [{ latency: { ...new DDSketch().add(5).toJSON(), offset: 1e9 } }, 'items[1].latency'],
    [{ latency: { ...new DDSketch().add(5).toJSON(), min: 9, max: 5 } }, 'items[1].latency'],
    [{ latency: { ...new DDSketch().add(5).toJSON(), sum: Number.NaN } }, 'items[1].latency'],
    [{ latency: null, latencyPacked: Buffer.from([1, 2, 3]) }, 'items[1].latencyPacked'],
    [
      {
        latency: null,
        latencyPacked: packSketch({ ...new DDSketch().add(5).toJSON(), relativeAccuracy: 0.02 }),
      },
      'items[1].latencyPacked',
    ],
    [{ latencyPacked: packSketch(new DDSketch().add(5).toJSON()) }, 'items[1].latencyPacked'],
  ] satisfies [Partial<IncomingTelemetryItem>, string][])('refuses %j naming %s', (bad, field) => {
    const error = refusal(() => validateTelemetryBatch('b-1', [item(), item(bad)], NOW, LIMITS));
    expect(error.code).toBe('VALIDATION');
    expect(error.fields).toEqual([{ field, message: expect.any(String) }]);
    expect(error.message.startsWith(`telemetry batch refused: ${field} `)).toBe(true);
  });

  it('refuses an empty batch id and too many items', () => {
    expect(refusal(() => validateTelemetryBatch(' ', [item()], NOW, LIMITS)).fields[0]?.field).toBe(
      'batchId',
    );
    expect(
      refusal(() => validateTelemetryBatch('b', [item(), item(), item(), item()], NOW, LIMITS)).message,
    ).toBe('telemetry batch refused: items has 4 items, more than the limit of 3 per batch');
  });
});
