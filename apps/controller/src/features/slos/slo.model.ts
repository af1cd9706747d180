import { Type } from 'class-transformer';
import { IsArray, IsNumber, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { DateTimeScalar } from '../../platform/graphql/date-time.model';

export enum SloHealthValue {
  HEALTHY = 'HEALTHY',
  WARNING = 'WARNING',
  VIOLATED = 'VIOLATED',
}
registerEnumType(SloHealthValue, {
  name: 'SloHealth',
  description:
    'WARNING: burning faster than sustainable (3-day burn rate above 1) or an alert active; VIOLATED: budget spent.',
});

@ObjectType('SloIndicator')
export class SloIndicatorModel {
  @Field({ description: 'LATENCY or ERROR_RATE' }) kind!: string;
  @Field(() => String, { nullable: true }) percentile?: string | null;
  @Field(() => Float, { nullable: true }) thresholdMs?: number | null;
  @Field(() => Float, { nullable: true }) maxErrorRatePercent?: number | null;
}

@InputType('SloIndicatorInput')
export class SloIndicatorInput {
  @Field({ description: 'LATENCY or ERROR_RATE' })
  @IsString()
  kind!: string;

  @Field(() => String, { nullable: true, description: 'LATENCY: p50, p90 or p99' })
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
  @Field()
  @IsString()
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  description?: string;

  @Field(() => ID)
  @IsString()
  gnsId!: string;

  @Field(() => [String])
  @IsArray()
  services!: string[];

  @Field(() => [SloIndicatorInput])
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SloIndicatorInput)
  indicators!: SloIndicatorInput[];

  @Field(() => Float)
  @IsNumber()
  targetPercent!: number;

  @Field({ description: '"<days>d" (1 to 90) or CALENDAR_MONTH' })
  @IsString()
  window!: string;

  @Field(() => String, { nullable: true, description: 'TIME_SLICES (default) or OCCURRENCES' })
  @IsOptional()
  @IsString()
  budgeting?: string;

  @Field(() => String, { nullable: true, description: 'MONITORED (default) or ACTIONABLE' })
  @IsOptional()
  @IsString()
  type?: string;

  @Field(() => String, {
    nullable: true,
    description:
      'How a minute without requests counts: GOOD, BAD (TIME_SLICES only) or IGNORE (default: not counted).',
  })
  @IsOptional()
  @IsString()
  noDataPolicy?: string;
}

@ObjectType('SloIndicatorValue')
export class SloIndicatorValueModel extends SloIndicatorModel {
  @Field(() => Float, {
    nullable: true,
    description: 'Last complete minute: error rate in % or latency in ms; null without traffic.',
  })
  value!: number | null;
  @Field() holds!: boolean;
}

@ObjectType('SloBudget')
export class SloBudgetModel {
  @Field(() => Float) allowedBadFraction!: number;
  @Field(() => Float) consumedFraction!: number;
  @Field(() => Float, { description: 'Negative when overspent.' }) remainingFraction!: number;
  @Field(() => Float) totalSeconds!: number;
  @Field(() => Float) consumedSeconds!: number;
  @Field(() => Float) remainingSeconds!: number;
}

@ObjectType('BurnRate')
export class BurnRateModel {
  @Field({ description: '5m, 30m, 1h, 2h, 6h, 1d or 3d' }) window!: string;
  @Field(() => Float, { description: '1 spends exactly the budget over the SLO window.' }) rate!: number;
}

@ObjectType('SloAlert')
export class SloAlertModel {
  @Field({ description: 'PAGE_1H_5M, PAGE_6H_30M, TICKET_1D_2H or TICKET_3D_6H' }) rule!: string;
  @Field({ description: 'PAGE or TICKET' }) severity!: string;
  @Field(() => DateTimeScalar) firedAt!: Date;
}

@ObjectType('SloEvent', { description: 'An alert firing or resolving.' })
export class SloEventModel {
  @Field(() => ID) id!: string;
  @Field({ description: 'FIRED or RESOLVED' }) type!: string;
  @Field() rule!: string;
  @Field() severity!: string;
  @Field(() => DateTimeScalar) at!: Date;
  @Field(() => Float, { nullable: true }) threshold!: number | null;
  @Field(() => Float, { nullable: true }) longWindowBurnRate!: number | null;
  @Field(() => Float, { nullable: true }) shortWindowBurnRate!: number | null;
}

@ObjectType('SloHistoryPoint', { description: 'The bucket [timestamp, timestamp + step).' })
export class SloHistoryPointModel {
  @Field(() => DateTimeScalar) timestamp!: Date;
  @Field(() => Float) requests!: number;
  @Field(() => Float) badRequests!: number;
  @Field(() => Int) badMinutes!: number;
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

@ObjectType('SloCoverage')
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

@ObjectType('SloStatus')
export class SloStatusModel {
  @Field(() => SloHealthValue) health!: SloHealthValue;
  @Field(() => DateTimeScalar, {
    description: 'The minute boundary evaluated; every minute before it counts.',
  })
  evaluatedAt!: Date;
  @Field(() => DateTimeScalar) windowStart!: Date;
  @Field(() => DateTimeScalar) windowEnd!: Date;
  @Field(() => Float, { description: 'Good fraction of the window so far.' }) compliance!: number;
  @Field() meetsTarget!: boolean;
  @Field(() => SloBudgetModel) budget!: SloBudgetModel;
  @Field(() => [BurnRateModel]) burnRates!: BurnRateModel[];
  @Field(() => [SloIndicatorValueModel], { description: 'Current SLI values (the last complete minute).' })
  indicators!: SloIndicatorValueModel[];
  @Field(() => [SloAlertModel]) activeAlerts!: SloAlertModel[];
  @Field(() => SloCoverageModel, {
    description: 'How much of the window has data: backfill and catch-up progress.',
  })
  coverage!: SloCoverageModel;
}

@ObjectType('Slo')
export class SloModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() description!: string;
  @Field(() => ID) gnsId!: string;
  @Field(() => [String]) services!: string[];
  @Field(() => [SloIndicatorModel]) indicators!: SloIndicatorModel[];
  @Field(() => Float) targetPercent!: number;
  @Field() window!: string;
  @Field() budgeting!: string;
  @Field() type!: string;
  @Field({ description: 'How a minute without requests counts: GOOD, BAD or IGNORE.' })
  noDataPolicy!: string;
  @Field(() => Int) version!: number;
  @Field(() => DateTimeScalar) createdAt!: Date;
  @Field(() => DateTimeScalar) updatedAt!: Date;
  @Field(() => SloStatusModel, { nullable: true, description: 'Null until the first evaluation.' })
  status!: SloStatusModel | null;
}
