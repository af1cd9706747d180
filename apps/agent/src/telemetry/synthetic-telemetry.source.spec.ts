import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SyntheticHistoryLedger, SyntheticHistoryRecord } from './synthetic-history.store';
import { SYNTHETIC_HISTORY_FILE, SyntheticHistoryStore } from './synthetic-history.store';
import { parseSyntheticTelemetryFile, SyntheticTelemetrySource } from './synthetic-telemetry.source';

const MINUTE = 60_000;
const t0 = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('SyntheticTelemetrySource', () => {
  const file = parseSyntheticTelemetryFile(
    `seed: 7
edges:
  - source: { namespace: shop, service: web }
    destination: { namespace: shop, service: cart }
    requestsPerSecond: 10
    errorRatio: 0.01
    latency: { distribution: lognormal, p50Ms: 20, p99Ms: 80 }
`,
    'traffic.yaml',
  );

  it('reports each completed minute exactly once, starting from the first call', async () => {
    const source = await SyntheticTelemetrySource.open(file);
    expect(await source.collect(new Date(t0 + 5_000))).toEqual([]);
    expect(await source.collect(new Date(t0 + 30_000))).toEqual([]);
    const first = await source.collect(new Date(t0 + MINUTE + 1_000));
    expect(first.map((item) => item.minuteUnixMs)).toEqual([t0]);
    expect(first[0]).toMatchObject({
      sourceService: 'web',
      destinationService: 'cart',
      destinationNamespace: 'shop',
    });
    expect(first[0]!.requests).toBeGreaterThan(450);
    const later = await source.collect(new Date(t0 + 3 * MINUTE + 1_000));
    expect(later.map((item) => item.minuteUnixMs)).toEqual([t0 + MINUTE, t0 + 2 * MINUTE]);
  });

  it('refuses a bad file naming the field', () => {
    expect(() => parseSyntheticTelemetryFile('edges: [{ requestsPerSecond: -1 }]', 'bad.yaml')).toThrow(
      /bad\.yaml: edges\[0\]/,
    );
    expect(() => parseSyntheticTelemetryFile('edges: [', 'broken.yaml')).toThrow(
      /broken\.yaml: not valid YAML/,
    );
  });

  describe('history', () => {
    const withHistory = parseSyntheticTelemetryFile(
      `seed: 7
edges:
  - source: { namespace: shop, service: web }
    destination: { namespace: shop, service: cart }
    requestsPerSecond: 10
    errorRatio: 0.05
    latency: { distribution: lognormal, p50Ms: 20, p99Ms: 80 }
    history: { minutes: 120, errorRatio: 0.001, incidentMinutes: 10 }
  - source: { namespace: shop, service: web }
    destination: { namespace: shop, service: search }
    requestsPerSecond: 2
    errorRatio: 0
    latency: { distribution: constant, p50Ms: 3 }
`,
      'history.yaml',
    );

    class MemoryLedger implements SyntheticHistoryLedger {
      readonly location = 'memory';
      record: SyntheticHistoryRecord | undefined;
      failWrites = false;
      async read() {
        return this.record;
      }
      async write(record: SyntheticHistoryRecord) {
        if (this.failWrites) throw new Error('disk full');
        this.record = record;
      }
    }

    it('reports the history ending at the current minute on the first collection, then live minutes', async () => {
      const ledger = new MemoryLedger();
      const source = await SyntheticTelemetrySource.open(withHistory, { historyLedger: ledger });
      const history = await source.collect(new Date(t0 + 5_000));
      expect(history).toHaveLength(120);
      expect(history[0]!.minuteUnixMs).toBe(t0 - 120 * MINUTE);
      expect(history.at(-1)!.minuteUnixMs).toBe(t0 - MINUTE);
      expect(new Set(history.map((item) => item.destinationService))).toEqual(new Set(['cart']));
      const badMinutes = history.filter((item) => Number(item.errors) / Number(item.requests) > 0.01);
      expect(badMinutes.map((item) => item.minuteUnixMs)).toEqual(
        Array.from({ length: 10 }, (_, index) => t0 - (10 - index) * MINUTE),
      );
      expect(ledger.record).toEqual({
        untilUnixMs: t0,
        items: 120,
        sentAt: new Date(t0 + 5_000).toISOString(),
      });
      // Live minutes continue where the history ended, for every edge.
      const live = await source.collect(new Date(t0 + MINUTE + 1_000));
      expect(live.map((item) => [item.minuteUnixMs, item.destinationService])).toEqual([
        [t0, 'cart'],
        [t0, 'search'],
      ]);
    });

    it('sends the history once per ledger: a restarted agent reports live minutes only', async () => {
      const ledger = new MemoryLedger();
      await (
        await SyntheticTelemetrySource.open(withHistory, { historyLedger: ledger })
      ).collect(new Date(t0));
      const restarted = await SyntheticTelemetrySource.open(withHistory, { historyLedger: ledger });
      expect(await restarted.collect(new Date(t0 + 10 * MINUTE))).toEqual([]);
      expect(await restarted.collect(new Date(t0 + 11 * MINUTE))).toHaveLength(2);
      expect(ledger.record!.untilUnixMs).toBe(t0);
    });

    it('reports nothing while the ledger cannot be written, and the history once it can', async () => {
      const ledger = new MemoryLedger();
      ledger.failWrites = true;
      const source = await SyntheticTelemetrySource.open(withHistory, { historyLedger: ledger });
      await expect(source.collect(new Date(t0))).rejects.toThrow('disk full');
      ledger.failWrites = false;
      const history = await source.collect(new Date(t0 + 2 * MINUTE));
      expect(history.at(-1)!.minuteUnixMs).toBe(t0 + MINUTE);
      expect(ledger.record!.untilUnixMs).toBe(t0 + 2 * MINUTE);
    });

    it('needs a ledger when an edge has a history', async () => {
      await expect(SyntheticTelemetrySource.open(withHistory)).rejects.toThrow(/needs a ledger/);
    });

    it('keeps the ledger in the state directory, and refuses a corrupt one naming the file', async () => {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-history-'));
      try {
        const store = new SyntheticHistoryStore(path.join(directory, 'state'));
        expect(await store.read()).toBeUndefined();
        const record = { untilUnixMs: t0, items: 120, sentAt: new Date(t0).toISOString() };
        await store.write(record);
        expect(await new SyntheticHistoryStore(path.join(directory, 'state')).read()).toEqual(record);
        const file = path.join(directory, 'state', SYNTHETIC_HISTORY_FILE);
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        fs.writeFileSync(file, '{"untilUnixMs": "soon"}');
        await expect(store.read()).rejects.toThrow(`${file} is not a synthetic history record`);
        await expect(SyntheticTelemetrySource.open(withHistory, { historyLedger: store })).rejects.toThrow(
          SYNTHETIC_HISTORY_FILE,
        );
      } finally {
        fs.rmSync(directory, { recursive: true, force: true });
      }
    });
  });
});
