import type { AlertEvent, AlertSeverity } from '../slo/alerting';
import type { SloType, SloWindowSpec } from '../slo/slo-definition';
import type { SloHealth } from '../slo/slo-status';
import type { WebhookEventType } from './webhook-endpoint';

/*
 * The JSON bodies Lattice POSTs to webhook receivers. Public API: documented in docs/webhooks.md
 * and published as docs/schemas/webhook-event.schema.json (a unit test checks built events
 * against it). Add fields, never rename or remove them.
 */

/** `webhook.test`: sent on request (POST /v1/webhooks/{id}/test), never subscribed to. */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

/** Every event type a receiver can get: the subscribable ones and the test event. */
export type WebhookDeliveredEventType = WebhookEventType | typeof WEBHOOK_TEST_EVENT_TYPE;

/** What every event carries. */
export interface WebhookEventEnvelope<TType extends WebhookDeliveredEventType> {
  /** Unique per event (an SLO alert event's id); several deliveries of one event share it. */
  id: string;
  type: TType;
  /** When the event happened (ISO 8601, UTC). */
  occurredAt: string;
}

/** `slo.alert.fired` / `slo.alert.resolved`: a burn-rate alert of an SLO fired or resolved. */
export interface SloAlertWebhookEvent extends WebhookEventEnvelope<'slo.alert.fired' | 'slo.alert.resolved'> {
  alert: {
    /** The alert rule, e.g. PAGE_1H_5M. */
    rule: string;
    severity: AlertSeverity;
    /** The burn rate both windows had to exceed; null when the rule no longer exists (a resolution). */
    threshold: number | null;
    longWindowBurnRate: number | null;
    shortWindowBurnRate: number | null;
  };
  slo: {
    id: string;
    name: string;
    gnsId: string;
    services: string[];
    type: SloType;
    targetPercent: number;
    window: SloWindowSpec;
    /** The SLO's health after the evaluation that raised the event; null when it could not be evaluated. */
    status: SloHealth | null;
    budgetRemainingFraction: number | null;
  };
}

/** `webhook.test`: checks that a receiver is reachable and verifies signatures. */
export interface WebhookTestEvent extends WebhookEventEnvelope<typeof WEBHOOK_TEST_EVENT_TYPE> {
  webhook: { id: string; name: string };
  /** When the test was requested (the same instant as occurredAt; kept for receivers written before it). */
  sentAt: string;
}

/** A webhook request body. */
export type WebhookEvent = SloAlertWebhookEvent | WebhookTestEvent;

/** The webhook event type of an SLO alert event. */
export function webhookEventTypeOfAlert(event: Pick<AlertEvent, 'type'>): SloAlertWebhookEvent['type'] {
  return event.type === 'FIRED' ? 'slo.alert.fired' : 'slo.alert.resolved';
}

/** The SLO as an alert event describes it. */
export interface AlertingSlo {
  id: string;
  name: string;
  gnsId: string;
  services: readonly string[];
  type: SloType;
  targetPercent: number;
  window: SloWindowSpec;
}

/**
 * The body for an SLO alert event stored as `eventId`. `evaluation` is the SLO's evaluation that
 * raised it (absent when there is none). Non-finite numbers become null, as JSON has no infinity.
 */
export function sloAlertWebhookEvent(
  eventId: string,
  event: AlertEvent,
  slo: AlertingSlo,
  evaluation: { status: SloHealth; budget: { remainingFraction: number } } | undefined,
): SloAlertWebhookEvent {
  return {
    id: eventId,
    type: webhookEventTypeOfAlert(event),
    occurredAt: new Date(event.atUnixMs).toISOString(),
    alert: {
      rule: event.ruleId,
      severity: event.severity,
      threshold: finiteOrNull(event.threshold),
      longWindowBurnRate: finiteOrNull(event.longWindowBurnRate),
      shortWindowBurnRate: finiteOrNull(event.shortWindowBurnRate),
    },
    slo: {
      id: slo.id,
      name: slo.name,
      gnsId: slo.gnsId,
      services: [...slo.services],
      type: slo.type,
      targetPercent: slo.targetPercent,
      window: slo.window,
      status: evaluation?.status ?? null,
      budgetRemainingFraction: finiteOrNull(evaluation?.budget.remainingFraction ?? null),
    },
  };
}

/** The body of a test delivery to the endpoint, requested at `atUnixMs`. */
export function webhookTestEvent(
  eventId: string,
  webhook: { id: string; name: string },
  atUnixMs: number,
): WebhookTestEvent {
  const at = new Date(atUnixMs).toISOString();
  return {
    id: eventId,
    type: WEBHOOK_TEST_EVENT_TYPE,
    occurredAt: at,
    webhook: { id: webhook.id, name: webhook.name },
    sentAt: at,
  };
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}
