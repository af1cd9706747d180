import Ajv2020 from 'ajv/dist/2020';
import schema from '../../../../docs/schemas/webhook-event.schema.json';
import { BURN_RATE_WINDOWS, type BurnRateWindow } from '../slo/burn-rate';
import { assessSlo, type SloTotals } from '../slo/evaluate-slo';
import type { SpanTotals } from '../slo/sli';
import {
  sloAlertWebhookEvent,
  webhookEventTypeOfAlert,
  webhookTestEvent,
  type AlertingSlo,
  type WebhookEvent,
} from './webhook-event';

const NOW = Date.UTC(2026, 0, 31, 12, 34);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
ajv.addFormat('uuid', UUID);
ajv.addFormat(
  'date-time',
  (value: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value)),
);
const validate = ajv.compile(schema);

function expectValid(event: unknown): void {
  const valid = validate(JSON.parse(JSON.stringify(event)));
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

const slo: AlertingSlo & Parameters<typeof assessSlo>[0] = {
  id: '0b7f5a52-3c1e-4c59-9a51-3f0d3f0f6f0a',
  name: 'checkout-availability',
  gnsId: '5d3c8f8e-2b7a-4c1e-8f5e-1c2d3e4f5a6b',
  services: ['checkout'],
  type: 'ACTIONABLE',
  targetPercent: 99.9,
  window: '30d',
  budgeting: 'TIME_SLICES',
  noDataPolicy: 'GOOD',
  indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
};

/** Totals where the last `badMinutes` minutes of every window were bad. */
function totals(badMinutes: number): SloTotals {
  const span = (minutes: number): SpanTotals => ({
    minutes,
    dataMinutes: minutes,
    badMinutes: Math.min(badMinutes, minutes),
    requests: minutes * 100,
    badRequests: Math.min(badMinutes, minutes) * 50,
  });
  const minutesOf: Record<BurnRateWindow, number> = {
    '5m': 5,
    '30m': 30,
    '1h': 60,
    '2h': 120,
    '6h': 360,
    '1d': 1440,
    '3d': 4320,
  };
  const burnWindows = Object.fromEntries(
    BURN_RATE_WINDOWS.map((window) => [window, span(minutesOf[window])]),
  ) as Record<BurnRateWindow, SpanTotals>;
  return { window: span(43_200), burnWindows };
}

describe('webhook events', () => {
  it('builds a fired alert event that matches the published schema', () => {
    const evaluation = assessSlo(slo, NOW, totals(5), [], []);
    const fired = evaluation.events.find((event) => event.type === 'FIRED' && event.ruleId === 'PAGE_1H_5M')!;
    const event = sloAlertWebhookEvent('6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f', fired, slo, evaluation);
    expect(event).toMatchObject({
      id: '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f',
      type: 'slo.alert.fired',
      occurredAt: '2026-01-31T12:34:00.000Z',
      alert: { rule: 'PAGE_1H_5M', severity: 'PAGE', threshold: 14.4 },
      slo: {
        id: slo.id,
        name: slo.name,
        gnsId: slo.gnsId,
        services: ['checkout'],
        type: 'ACTIONABLE',
        targetPercent: 99.9,
        window: '30d',
        status: 'WARNING',
      },
    });
    expect(event.alert.shortWindowBurnRate).toBeCloseTo(1000, 6);
    expect(event.slo.budgetRemainingFraction).toBeCloseTo(1 - 5 / 43.2, 9);
    expectValid(event);
  });

  it('builds a resolved event of a rule that no longer exists, and one without an evaluation', () => {
    const resolved = assessSlo(
      slo,
      NOW,
      totals(0),
      [],
      [{ ruleId: 'RETIRED_RULE', severity: 'TICKET', firedAtUnixMs: NOW - 3_600_000 }],
    ).events[0]!;
    expect(resolved).toMatchObject({ type: 'RESOLVED', ruleId: 'RETIRED_RULE', threshold: null });
    const event = sloAlertWebhookEvent('7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', resolved, slo, undefined);
    expect(event).toMatchObject({
      type: 'slo.alert.resolved',
      alert: { threshold: null, longWindowBurnRate: null },
      slo: { status: null, budgetRemainingFraction: null },
    });
    expectValid(event);
  });

  it('sends non-finite numbers as null, as JSON would', () => {
    const event = sloAlertWebhookEvent(
      '7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      {
        type: 'FIRED',
        ruleId: 'PAGE_1H_5M',
        severity: 'PAGE',
        atUnixMs: NOW,
        threshold: 14.4,
        longWindowBurnRate: Infinity,
        shortWindowBurnRate: NaN,
      },
      slo,
      undefined,
    );
    expect(event.alert).toMatchObject({ longWindowBurnRate: null, shortWindowBurnRate: null });
    expectValid(event);
  });

  it('builds a test event that matches the published schema', () => {
    const event = webhookTestEvent(
      '8b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
      { id: '9c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f', name: 'oncall' },
      NOW,
    );
    expect(event).toEqual({
      id: '8b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
      type: 'webhook.test',
      occurredAt: '2026-01-31T12:34:00.000Z',
      webhook: { id: '9c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f', name: 'oncall' },
      sentAt: '2026-01-31T12:34:00.000Z',
    });
    expectValid(event);
  });

  it('maps alert event types to webhook event types', () => {
    expect(webhookEventTypeOfAlert({ type: 'FIRED' })).toBe('slo.alert.fired');
    expect(webhookEventTypeOfAlert({ type: 'RESOLVED' })).toBe('slo.alert.resolved');
  });

  it('is a schema that catches drift: unknown fields, missing fields and wrong types fail', () => {
    const good: WebhookEvent = webhookTestEvent(
      '8b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
      { id: '9c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f', name: 'oncall' },
      NOW,
    );
    expect(validate({ ...good, extra: 1 })).toBe(false);
    const { sentAt: _sentAt, ...missing } = good;
    expect(validate(missing)).toBe(false);
    expect(validate({ ...good, type: 'slo.alert.fired' })).toBe(false);
    expect(validate({ ...good, occurredAt: 'yesterday' })).toBe(false);
  });
});
