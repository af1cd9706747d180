import { Type } from 'class-transformer';
import { IsArray, IsNumber, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { BURN_RATE_WINDOWS, type BurnRateWindow } from '@lattice/domain';
import { ConnectionType } from '../../platform/graphql/connection.model';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

/*
 * GraphQL types of SLOs: the REST views of slos.dto.ts with timestamps as DateTime and every closed
 * set as an enum. An enum's internal values are the REST (and stored) ones, so `LatencyPercentile.P99`
 * is "p99" and `BurnRateWindow.ONE_HOUR` is "1h" to the service.
 */

export enum SloHealthValue {
  HEALTHY = 'HEALTHY',
  WARNING = 'WARNING',
  VIOLATED = 'VIOLATED',
}
registerEnumType(SloHealthValue, {
  name: 'SloHealth',
  description: 'How an SLO stands in its window.',
  valuesMap: {
    HEALTHY: { description: 'Within budget and burning sustainably.' },
    WARNING: {
      description: 'Burning faster than sustainable (3-day burn rate above 1) or an alert active.',
    },
    VIOLATED: { description: 'The error budget is spent.' },
  },
});

const SLO_INDICATOR_KINDS = { LATENCY: 'LATENCY', ERROR_RATE: 'ERROR_RATE' } as const;
registerEnumType(SLO_INDICATOR_KINDS, {
  name: 'SloIndicatorKind',
  description: 'What an indicator measures.',
  valuesMap: {
    LATENCY: { description: 'A latency percentile of each minute stays under thresholdMs.' },
    ERROR_RATE: { description: 'The error rate of each minute stays under maxErrorRatePercent.' },
  },
});

const LATENCY_PERCENTILES = { P50: 'p50', P90: 'p90', P99: 'p99' } as const;
registerEnumType(LATENCY_PERCENTILES, {
  name: 'LatencyPercentile',
  description: 'The latency percentile a LATENCY indicator judges (REST: p50, p90, p99).',
  valuesMap: {
    P50: { description: 'The median.' },
    P90: { description: 'The 90th percentile.' },
    P99: { description: 'The 99th percentile.' },
  },
});

const SLO_BUDGETINGS = { TIME_SLICES: 'TIME_SLICES', OCCURRENCES: 'OCCURRENCES' } as const;
registerEnumType(SLO_BUDGETINGS, {
  name: 'SloBudgeting',
  description: 'How the error budget is counted.',
  valuesMap: {
    TIME_SLICES: { description: 'Good minutes over minutes: a minute is good when every indicator holds.' },
    OCCURRENCES: {
      description: 'Good requests over requests: a request is bad when it failed or was too slow.',
    },
  },
});

const SLO_TYPES = { MONITORED: 'MONITORED', ACTIONABLE: 'ACTIONABLE' } as const;
registerEnumType(SLO_TYPES, {
  name: 'SloType',
  description: 'A label for consumers (e.g. which SLOs drive actions); both are evaluated alike.',
  valuesMap: {
    MONITORED: { description: 'Watched (the default).' },
    ACTIONABLE: { description: 'Drives actions.' },
  },
});

const BURN_RATE_WINDOW_NAMES = {
  FIVE_MINUTES: '5m',
  THIRTY_MINUTES: '30m',
  ONE_HOUR: '1h',
  TWO_HOURS: '2h',
  SIX_HOURS: '6h',
  ONE_DAY: '1d',
  THREE_DAYS: '3d',
} as const satisfies Record<string, BurnRateWindow>;
// Every window the domain computes has a name (a window without one could not be serialised).
BURN_RATE_WINDOWS.forEach((window) => {
  if (!Object.values(BURN_RATE_WINDOW_NAMES).includes(window))
    throw new Error(`burn-rate window ${window} has no GraphQL name`);
});
registerEnumType(BURN_RATE_WINDOW_NAMES, {
  name: 'BurnRateWindow',
  description: 'The window a burn rate is measured over (REST: 5m, 30m, 1h, 2h, 6h, 1d, 3d).',
  valuesMap: Object.fromEntries(
    Object.entries(BURN_RATE_WINDOW_NAMES).map(([name, window]) => [
      name,
      { description: `The last ${window}.` },
    ]),
  ),
});

const SLO_ALERT_RULES = {
  PAGE_1H_5M: 'PAGE_1H_5M',
  PAGE_6H_30M: 'PAGE_6H_30M',
  TICKET_1D_2H: 'TICKET_1D_2H',
  TICKET_3D_6H: 'TICKET_3D_6H',
} as const;
registerEnumType(SLO_ALERT_RULES, {
  name: 'SloAlertRule',
  description: 'A multi-window burn-rate alert rule: <severity>_<long window>_<short window>.',
  valuesMap: {
    PAGE_1H_5M: { description: 'Page: 1 h and 5 min both burn 2 % of the budget in 1 h.' },
    PAGE_6H_30M: { description: 'Page: 6 h and 30 min both burn 5 % of the budget in 6 h.' },
    TICKET_1D_2H: { description: 'Ticket: 1 day and 2 h both burn 10 % of the budget in a day.' },
    TICKET_3D_6H: { description: 'Ticket: 3 days and 6 h both burn 10 % of the budget in 3 days.' },
  },
});

const SLO_ALERT_SEVERITIES = { PAGE: 'PAGE', TICKET: 'TICKET' } as const;
registerEnumType(SLO_ALERT_SEVERITIES, {
  name: 'SloAlertSeverity',
  description: 'How urgent an alert is.',
  valuesMap: {
    PAGE: { description: 'Wake someone up.' },
    TICKET: { description: 'Handle during working hours.' },
  },
});

const SLO_EVENT_TYPES = { FIRED: 'FIRED', RESOLVED: 'RESOLVED' } as const;
registerEnumType(SLO_EVENT_TYPES, {
  name: 'SloEventType',
  description: 'What happened to an alert.',
  valuesMap: {
    FIRED: { description: 'The alert started firing.' },
    RESOLVED: { description: 'The alert stopped firing.' },
  },
});

@ObjectType('SloIndicator', { description: 'One indicator: every minute it holds counts as good.' })
export class SloIndicatorModel {
  @Field(() => SLO_INDICATOR_KINDS, { description: 'What it measures.' }) kind!: string;
  @Field(() => LATENCY_PERCENTILES, { nullable: true, description: 'LATENCY: the percentile judged.' })
  percentile?: string | null;
  @Field(() => Float, { nullable: true, description: 'LATENCY: the threshold in milliseconds.' })
  thresholdMs?: number | null;
  @Field(() => Float, { nullable: true, description: 'ERROR_RATE: the highest error rate in percent.' })
  maxErrorRatePercent?: number | null;
}

@InputType('SloIndicatorInput', { description: 'One indicator of an SLO definition.' })
export class SloIndicatorInput {
  @Field(() => SLO_INDICATOR_KINDS, { description: 'What it measures.' })
  @IsString()
  kind!: string;

  @Field(() => LATENCY_PERCENTILES, { nullable: true, description: 'LATENCY: the percentile judged.' })
  @IsOptional()
  @IsString()
  percentile?: string;

  @Field(() => Float, { nullable: true, description: 'LATENCY: milliseconds, > 0' })
  @IsOptional()
  @IsNumber()
  thresholdMs?: number;

  @Field(() => Float, { nullable: true, description: 'ERROR_RATE: percent in [0, 100)' })
  @IsOptional()
  @IsNumber()
  maxErrorRatePercent?: number;
}

/** Shape checks only (the global validation pipe refuses undecorated fields); libs/domain decides what is valid. */
@InputType('SloInput', { description: 'An SLO definition; updateSlo replaces the whole definition.' })
export class SloInput {
  @Field({ description: 'DNS-1123 label, unique in the tenant.' })
  @IsString()
  name!: string;

  @Field(() => String, { nullable: true, description: 'Free text (default "").' })
  @IsOptional()
  @IsString()
  description?: string;

  @Field(() => ID, { description: 'The Global Namespace whose member services it covers.' })
  @IsString()
  gnsId!: string;

  @Field(() => [String], { description: 'GNS services (Kubernetes service names) it covers.' })
  @IsArray()
  services!: string[];

  @Field(() => [SloIndicatorInput], { description: 'A minute is good when every indicator holds.' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SloIndicatorInput)
  indicators!: SloIndicatorInput[];

  @Field(() => Float, { description: 'The objective in percent, strictly between 0 and 100.' })
  @IsNumber()
  targetPercent!: number;

  @Field({ description: '"<days>d" (1 to 90) or CALENDAR_MONTH' })
  @IsString()
  window!: string;

  @Field(() => SLO_BUDGETINGS, { nullable: true, description: 'TIME_SLICES when omitted.' })
  @IsOptional()
  @IsString()
  budgeting?: string;

  @Field(() => SLO_TYPES, { nullable: true, description: 'MONITORED when omitted.' })
  @IsOptional()
  @IsString()
  type?: string;
}

@ObjectType('SloIndicatorValue', { description: 'An indicator with its value in the last complete minute.' })
export class SloIndicatorValueModel extends SloIndicatorModel {
  @Field(() => Float, {
    nullable: true,
    description: 'Last complete minute: error rate in % or latency in ms; null without traffic.',
  })
  value!: number | null;
  @Field({ description: 'Whether the indicator held in that minute.' }) holds!: boolean;
}

@ObjectType('SloBudget', { description: 'The error budget of the current window.' })
export class SloBudgetModel {
  @Field(() => Float, { description: '1 − target: the fraction that may be bad.' })
  allowedBadFraction!: number;
  @Field(() => Float, { description: 'The fraction of the budget spent.' }) consumedFraction!: number;
  @Field(() => Float, { description: 'Negative when overspent.' }) remainingFraction!: number;
  @Field(() => Float, { description: 'The budget of the whole window in seconds (time slices).' })
  totalSeconds!: number;
  @Field(() => Float, { description: 'Seconds of budget spent.' }) consumedSeconds!: number;
  @Field(() => Float, { description: 'Seconds of budget left (negative when overspent).' })
  remainingSeconds!: number;
}

@ObjectType('BurnRate', { description: 'How fast the budget burns over a recent window.' })
export class BurnRateModel {
  @Field(() => BURN_RATE_WINDOW_NAMES, { description: 'The window measured.' }) window!: string;
  @Field(() => Float, { description: '1 spends exactly the budget over the SLO window.' }) rate!: number;
}

@ObjectType('SloAlert', { description: 'A burn-rate alert that is firing.' })
export class SloAlertModel {
  @Field(() => SLO_ALERT_RULES, { description: 'The rule that fired.' }) rule!: string;
  @Field(() => SLO_ALERT_SEVERITIES, { description: 'Its severity.' }) severity!: string;
  @Field(() => DateTimeScalar, { description: 'When it fired.' }) firedAt!: Date;
}

@ObjectType('SloEvent', { description: 'An alert firing or resolving.' })
export class SloEventModel {
  @Field(() => ID, { description: 'The event id.' }) id!: string;
  @Field(() => SLO_EVENT_TYPES, { description: 'Fired or resolved.' }) type!: string;
  @Field(() => SLO_ALERT_RULES, { description: 'The alert rule.' }) rule!: string;
  @Field(() => SLO_ALERT_SEVERITIES, { description: 'Its severity.' }) severity!: string;
  @Field(() => DateTimeScalar, { description: 'The minute it happened.' }) at!: Date;
  @Field(() => Float, { nullable: true, description: 'The burn-rate threshold of the rule.' })
  threshold!: number | null;
  @Field(() => Float, { nullable: true, description: 'The burn rate over the long window then.' })
  longWindowBurnRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'The burn rate over the short window then.' })
  shortWindowBurnRate!: number | null;
}

@ObjectType('SloEventConnection', { description: 'A page of alert events, newest first.' })
export class SloEventConnection extends ConnectionType(SloEventModel, 'SloEvent') {}

@ObjectType('SloHistoryPoint', { description: 'The bucket [timestamp, timestamp + step).' })
export class SloHistoryPointModel {
  @Field(() => DateTimeScalar, { description: 'The start of the bucket.' }) timestamp!: Date;
  @Field(() => Float, { description: 'Requests in the bucket.' }) requests!: number;
  @Field(() => Float, { description: 'Requests that failed or were too slow.' }) badRequests!: number;
  @Field(() => Int, { description: 'Minutes in which an indicator did not hold.' }) badMinutes!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'Good fraction of the bucket (minutes or requests, per budgeting); null with nothing to judge.',
  })
  sli!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Budget left for the window ending at the end of the bucket; null for future buckets.',
  })
  budgetRemainingFraction!: number | null;
}

@ObjectType('SloCoverage', { description: 'How much of the window has evaluated data.' })
export class SloCoverageModel {
  @Field(() => DateTimeScalar, {
    description: 'The earliest minute with evaluated data; window time before it counts as good.',
  })
  evaluatedFrom!: Date;
  @Field({ description: 'True while older telemetry is still being backfilled (evaluatedFrom moves back).' })
  backfilling!: boolean;
  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'Time before this was judged from hourly rollups (time slices counted occurrences-style); null when all is per minute.',
  })
  hourlyUntil!: Date | null;
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'After an outage: minutes from here are still being caught up; null when caught up.',
  })
  catchingUpFrom!: Date | null;
}

@ObjectType('SloStatus', { description: 'The latest evaluation of an SLO.' })
export class SloStatusModel {
  @Field(() => SloHealthValue, { description: 'How it stands.' }) health!: SloHealthValue;
  @Field(() => DateTimeScalar, {
    description: 'The minute boundary evaluated; every minute before it counts.',
  })
  evaluatedAt!: Date;
  @Field(() => DateTimeScalar, { description: 'The start of the current window.' }) windowStart!: Date;
  @Field(() => DateTimeScalar, { description: 'The end of the current window.' }) windowEnd!: Date;
  @Field(() => Float, { description: 'Good fraction of the window so far.' }) compliance!: number;
  @Field({ description: 'Whether compliance is at or above the target.' }) meetsTarget!: boolean;
  @Field(() => SloBudgetModel, { description: 'The error budget.' }) budget!: SloBudgetModel;
  @Field(() => [BurnRateModel], { description: 'Burn rates over each window.' }) burnRates!: BurnRateModel[];
  @Field(() => [SloIndicatorValueModel], { description: 'Current SLI values (the last complete minute).' })
  indicators!: SloIndicatorValueModel[];
  @Field(() => [SloAlertModel], { description: 'Alerts firing now.' }) activeAlerts!: SloAlertModel[];
  @Field(() => SloCoverageModel, {
    description: 'How much of the window has data: backfill and catch-up progress.',
  })
  coverage!: SloCoverageModel;
}

@ObjectType('Slo', { description: 'A service level objective on services of a Global Namespace.' })
export class SloModel {
  @Field(() => ID, { description: 'The SLO id (as in /v1/slos/{id}).' }) id!: string;
  @Field({ description: 'Unique in the tenant (DNS-1123 label).' }) name!: string;
  @Field({ description: 'Free text ("" when none).' }) description!: string;
  @Field(() => ID, { description: 'The Global Namespace whose services it covers.' }) gnsId!: string;
  @Field(() => [String], { description: 'The GNS services it covers.' }) services!: string[];
  @Field(() => [SloIndicatorModel], { description: 'A minute is good when every indicator holds.' })
  indicators!: SloIndicatorModel[];
  @Field(() => Float, { description: 'The objective in percent.' }) targetPercent!: number;
  @Field({ description: '"<days>d" (rolling) or CALENDAR_MONTH (UTC).' }) window!: string;
  @Field(() => SLO_BUDGETINGS, { description: 'How the error budget is counted.' }) budgeting!: string;
  @Field(() => SLO_TYPES, { description: 'A label for consumers; evaluation is the same.' }) type!: string;
  @Field(() => Int, { description: 'Send it back as `version` to update or delete (like If-Match).' })
  version!: number;
  @Field(() => DateTimeScalar, { description: 'When it was created.' }) createdAt!: Date;
  @Field(() => DateTimeScalar, { description: 'When its definition last changed.' }) updatedAt!: Date;
  @Field(() => SloStatusModel, { nullable: true, description: 'Null until the first evaluation.' })
  status!: SloStatusModel | null;
}

@ObjectType('SloConnection', { description: 'A page of SLOs, oldest first.' })
export class SloConnection extends ConnectionType(SloModel, 'Slo') {}
