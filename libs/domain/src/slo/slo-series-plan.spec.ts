import { MINUTE_MS } from '../telemetry/telemetry-item';
import { HOUR_MS } from '../telemetry/telemetry-query';
import { DAY_MS } from './slo-definition';
import { ZERO_RUNNING_TOTALS } from './slo-series';
import {
  awaitsHistory,
  backfillCandidates,
  catchUpCandidates,
  lateRangesByTenant,
  MAX_LIVE_CATCH_UP_MINUTES,
  minuteTelemetryFrom,
  planBackfill,
  planCatchUp,
  planLateRecount,
  planLiveRun,
  SERIES_CHUNK_HOURS,
  SERIES_CHUNK_MINUTES,
  SERIES_CHUNK_SLOS,
  seriesAfterPrepend,
  seriesBackfillTarget,
  seriesDetailFrom,
  thinnedSpanParts,
  type SloSeriesProgress,
} from './slo-series-plan';

const NOW = Date.UTC(2026, 5, 10, 12, 0);
const SLO = { id: 'slo-1', tenantId: 'tenant-1', basis: 2 };

function series(overrides: Partial<SloSeriesProgress> = {}): SloSeriesProgress {
  return {
    sloId: SLO.id,
    tenantId: SLO.tenantId,
    basis: SLO.basis,
    coveredFromMs: NOW - DAY_MS,
    backfillToMs: NOW - DAY_MS,
    minuteResolutionFromMs: NOW - DAY_MS,
    caughtUpUntilMs: NOW - MINUTE_MS,
    evaluatedUntilMs: NOW - MINUTE_MS,
    origin: { requests: 7, badRequests: 1, badMinutes: 1, dataMinutes: 3 },
    ...overrides,
  };
}

describe('planLiveRun', () => {
  const times = { nowMs: NOW, liveFromMs: NOW - 5 * MINUTE_MS, backfillTargetMs: NOW - 30 * DAY_MS };

  it('starts a new series with the recompute span, to be backfilled towards the target', () => {
    const plan = planLiveRun(SLO, undefined, times);
    expect(plan.span).toEqual({ fromMs: times.liveFromMs, toMs: NOW });
    expect(plan.series).toEqual({
      sloId: SLO.id,
      tenantId: SLO.tenantId,
      basis: SLO.basis,
      coveredFromMs: times.liveFromMs,
      backfillToMs: times.backfillTargetMs,
      minuteResolutionFromMs: times.liveFromMs,
      caughtUpUntilMs: NOW,
      evaluatedUntilMs: NOW,
      origin: ZERO_RUNNING_TOTALS,
    });
  });

  it('restarts a series built under another basis', () => {
    expect(planLiveRun(SLO, series({ basis: 1 }), times).series.coveredFromMs).toBe(times.liveFromMs);
  });

  it('continues a contiguous series from where it is complete', () => {
    const plan = planLiveRun(
      SLO,
      series({ caughtUpUntilMs: NOW - 20 * MINUTE_MS, evaluatedUntilMs: NOW - 20 * MINUTE_MS }),
      times,
    );
    expect(plan.span).toEqual({ fromMs: NOW - 20 * MINUTE_MS, toMs: NOW });
    expect(plan.series).toMatchObject({
      caughtUpUntilMs: NOW,
      evaluatedUntilMs: NOW,
      origin: series().origin,
    });
  });

  it('leaves a gap longer than MAX_LIVE_CATCH_UP_MINUTES to the catch-up', () => {
    const behind = NOW - (MAX_LIVE_CATCH_UP_MINUTES + 1) * MINUTE_MS;
    const plan = planLiveRun(SLO, series({ caughtUpUntilMs: behind, evaluatedUntilMs: behind }), times);
    expect(plan.span).toEqual({ fromMs: times.liveFromMs, toMs: NOW });
    expect(plan.series).toMatchObject({ caughtUpUntilMs: behind, evaluatedUntilMs: NOW });
  });

  it('never recomputes before the series start', () => {
    const plan = planLiveRun(SLO, series({ coveredFromMs: NOW - 2 * MINUTE_MS }), times);
    expect(plan.span.fromMs).toBe(NOW - 2 * MINUTE_MS);
  });
});

describe('late minutes', () => {
  it('are grouped into one range per tenant', () => {
    const ranges = lateRangesByTenant([
      { tenantId: 'a', minuteMs: NOW - 10 * MINUTE_MS },
      { tenantId: 'b', minuteMs: NOW - 3 * MINUTE_MS },
      { tenantId: 'a', minuteMs: NOW - 2 * MINUTE_MS },
    ]);
    expect(ranges).toEqual(
      new Map([
        ['a', { fromMs: NOW - 10 * MINUTE_MS, toMs: NOW - MINUTE_MS }],
        ['b', { fromMs: NOW - 3 * MINUTE_MS, toMs: NOW - 2 * MINUTE_MS }],
      ]),
    );
  });

  it('are recomputed where the series is complete; before its start the backfill resumes', () => {
    const range = { fromMs: NOW - 2 * DAY_MS + 5 * MINUTE_MS, toMs: NOW - 30 * MINUTE_MS };
    const plan = planLateRecount(series({ caughtUpUntilMs: NOW - 40 * MINUTE_MS }), range, 0);
    expect(plan.span).toEqual({ fromMs: NOW - DAY_MS, toMs: NOW - 40 * MINUTE_MS });
    expect(plan.extended).toMatchObject({ backfillToMs: NOW - 2 * DAY_MS });
  });

  it('after caughtUpUntil are left to the catch-up or the per-minute run', () => {
    expect(planLateRecount(series(), { fromMs: NOW - MINUTE_MS, toMs: NOW }, 0)).toEqual({
      span: null,
      extended: null,
    });
  });
});

describe('catch-up', () => {
  it('takes the series furthest behind first, only workable ones, at most a chunk of them', () => {
    const list = [
      series({ sloId: 'late', caughtUpUntilMs: NOW - 3 * HOUR_MS }),
      series({ sloId: 'later', caughtUpUntilMs: NOW - 5 * HOUR_MS }),
      series({ sloId: 'done' }),
      series({ sloId: 'unworkable', caughtUpUntilMs: NOW - 9 * HOUR_MS }),
    ];
    expect(
      catchUpCandidates(list, (entry) => entry.sloId !== 'unworkable').map((entry) => entry.sloId),
    ).toEqual(['later', 'late']);
    const many = Array.from({ length: SERIES_CHUNK_SLOS + 3 }, (_, index) =>
      series({ sloId: `s${index}`, caughtUpUntilMs: NOW - HOUR_MS }),
    );
    expect(catchUpCandidates(many, () => true)).toHaveLength(SERIES_CHUNK_SLOS);
  });

  it('fills at most SERIES_CHUNK_MINUTES of a gap and never passes the per-minute run', () => {
    const behind = series({ caughtUpUntilMs: NOW - 10 * HOUR_MS });
    expect(planCatchUp(behind, 0)).toEqual({
      span: { fromMs: NOW - 10 * HOUR_MS, toMs: NOW - 10 * HOUR_MS + SERIES_CHUNK_MINUTES * MINUTE_MS },
      series: { ...behind, caughtUpUntilMs: NOW - 10 * HOUR_MS + SERIES_CHUNK_MINUTES * MINUTE_MS },
    });
    const nearly = series({ caughtUpUntilMs: NOW - 10 * MINUTE_MS });
    expect(planCatchUp(nearly, 0).series.caughtUpUntilMs).toBe(nearly.evaluatedUntilMs);
  });
});

describe('awaitsHistory', () => {
  const fresh = series({ coveredFromMs: NOW - 5 * MINUTE_MS, backfillToMs: NOW - 30 * DAY_MS });

  it('holds a backfilling series while its services have telemetry before its start', () => {
    expect(awaitsHistory(fresh, [NOW - 2 * DAY_MS])).toBe(true);
    // Telemetry older than where the backfill stops still leaves the stretch up to it.
    expect(awaitsHistory(fresh, [NOW - 60 * DAY_MS, NOW - HOUR_MS])).toBe(true);
    // Earlier in the same hour as the series start: that hour is still to prepend.
    expect(
      awaitsHistory(series({ coveredFromMs: NOW + 10 * MINUTE_MS, backfillToMs: NOW - DAY_MS }), [
        NOW + 2 * MINUTE_MS,
      ]),
    ).toBe(true);
  });

  it('does not hold a series with nothing left to prepend', () => {
    // No telemetry at all, or none before the hour the series starts in: the backfill finishes at once.
    expect(awaitsHistory(fresh, [])).toBe(false);
    expect(
      awaitsHistory(series({ coveredFromMs: NOW, backfillToMs: NOW - 30 * DAY_MS }), [NOW + MINUTE_MS]),
    ).toBe(false);
    // A complete series, or one whose backfill resumed (a longer window) with no older telemetry.
    expect(awaitsHistory(series(), [NOW - 10 * DAY_MS])).toBe(false);
    expect(awaitsHistory(series({ backfillToMs: NOW - 30 * DAY_MS }), [NOW - DAY_MS])).toBe(false);
  });
});

describe('backfill', () => {
  const minuteDataFromMs = minuteTelemetryFrom(NOW, 7);

  it('takes the series with the latest start first', () => {
    const list = [
      series({ sloId: 'a', backfillToMs: NOW - 30 * DAY_MS, coveredFromMs: NOW - 2 * DAY_MS }),
      series({ sloId: 'b', backfillToMs: NOW - 30 * DAY_MS }),
    ];
    expect(backfillCandidates(list, () => true).map((entry) => entry.sloId)).toEqual(['b', 'a']);
    expect(backfillCandidates([series()], () => true)).toEqual([]);
  });

  it('is finished when there is no telemetry before the series start, or none at all', () => {
    const pending = series({ backfillToMs: NOW - 30 * DAY_MS });
    expect(planBackfill(pending, [], minuteDataFromMs)).toEqual({
      kind: 'finished',
      series: { ...pending, backfillToMs: pending.coveredFromMs },
    });
    expect(planBackfill(pending, [NOW - HOUR_MS], minuteDataFromMs).kind).toBe('finished');
  });

  it('prepends minutes within minute retention, at most SERIES_CHUNK_MINUTES and not before the first telemetry', () => {
    const pending = series({ backfillToMs: NOW - 30 * DAY_MS });
    expect(planBackfill(pending, [NOW - 20 * DAY_MS], minuteDataFromMs)).toEqual({
      kind: 'prepend',
      resolution: 'minute',
      span: { fromMs: pending.coveredFromMs - SERIES_CHUNK_MINUTES * MINUTE_MS, toMs: pending.coveredFromMs },
    });
    expect(
      planBackfill(pending, [pending.coveredFromMs - 2 * HOUR_MS + 10 * MINUTE_MS], minuteDataFromMs),
    ).toMatchObject({
      span: { fromMs: pending.coveredFromMs - 2 * HOUR_MS },
    });
  });

  it('prepends hours from rollups before minute retention', () => {
    const pending = series({ coveredFromMs: minuteDataFromMs, backfillToMs: NOW - 60 * DAY_MS });
    expect(planBackfill(pending, [NOW - 50 * DAY_MS], minuteDataFromMs)).toEqual({
      kind: 'prepend',
      resolution: 'hour',
      span: { fromMs: minuteDataFromMs - SERIES_CHUNK_HOURS * HOUR_MS, toMs: minuteDataFromMs },
    });
  });

  it('moves the series start and origin; hours leave the minute resolution where it was', () => {
    const before = series();
    const origin = { requests: 1, badRequests: 0, badMinutes: 0, dataMinutes: 1 };
    const span = { fromMs: before.coveredFromMs - HOUR_MS, toMs: before.coveredFromMs };
    expect(seriesAfterPrepend(before, 'minute', span, origin)).toEqual({
      ...before,
      coveredFromMs: span.fromMs,
      minuteResolutionFromMs: span.fromMs,
      origin,
    });
    expect(seriesAfterPrepend(before, 'hour', span, origin)).toEqual({
      ...before,
      coveredFromMs: span.fromMs,
      origin,
    });
  });
});

describe('retention boundaries', () => {
  it('keep minute detail for 3 days and 2 hours, from an hour boundary', () => {
    expect(seriesDetailFrom(NOW)).toBe(NOW - 3 * DAY_MS - 2 * HOUR_MS);
    expect(seriesDetailFrom(NOW + MINUTE_MS)).toBe(NOW - 3 * DAY_MS - HOUR_MS);
  });

  it('aim a backfill at the window start and the longest burn window, within hourly retention', () => {
    expect(seriesBackfillTarget({ kind: 'ROLLING', lengthMs: 30 * DAY_MS }, NOW, 90)).toBe(NOW - 30 * DAY_MS);
    expect(seriesBackfillTarget({ kind: 'ROLLING', lengthMs: DAY_MS }, NOW, 90)).toBe(NOW - 3 * DAY_MS);
    expect(seriesBackfillTarget({ kind: 'ROLLING', lengthMs: 30 * DAY_MS }, NOW, 10)).toBe(NOW - 10 * DAY_MS);
  });
});

describe('thinnedSpanParts', () => {
  const detailFromMs = NOW - DAY_MS;

  it('keeps the part of each span before the detail boundary and drops spans after it', () => {
    const spans = [
      { slo: { id: 'before' }, fromMs: detailFromMs - 2 * HOUR_MS, toMs: detailFromMs - HOUR_MS },
      { slo: { id: 'across' }, fromMs: detailFromMs - HOUR_MS, toMs: detailFromMs + HOUR_MS },
      { slo: { id: 'after' }, fromMs: detailFromMs, toMs: detailFromMs + HOUR_MS },
    ];
    expect(thinnedSpanParts(spans, detailFromMs)).toEqual([
      { sloId: 'before', fromMs: detailFromMs - 2 * HOUR_MS, toMs: detailFromMs - HOUR_MS },
      { sloId: 'across', fromMs: detailFromMs - HOUR_MS, toMs: detailFromMs },
    ]);
  });
});
