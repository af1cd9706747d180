import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsNumber, IsOptional, IsString, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination.dto';

/*
 * The DTOs check shape only; what a valid SLO is (targets, thresholds, windows, services) is decided
 * once, in libs/domain (parseSloSpec), and membership of the services by the service.
 */

export class SloIndicatorDto {
  @ApiProperty({ enum: ['LATENCY', 'ERROR_RATE'] })
  @IsIn(['LATENCY', 'ERROR_RATE'])
  kind!: 'LATENCY' | 'ERROR_RATE';

  @ApiPropertyOptional({ enum: ['p50', 'p90', 'p99'], description: 'LATENCY: the percentile of each minute' })
  @IsOptional()
  @IsString()
  percentile?: string;

  @ApiPropertyOptional({
    example: 300,
    description: 'LATENCY: holds when the percentile is at or below this (ms, > 0)',
  })
  @IsOptional()
  @IsNumber()
  thresholdMs?: number;

  @ApiPropertyOptional({
    example: 1,
    description: 'ERROR_RATE: holds when the error rate is at or below this percentage',
  })
  @IsOptional()
  @IsNumber()
  maxErrorRatePercent?: number;
}

/** Body of POST and PUT (PUT replaces the whole definition). */
export class SloSpecDto {
  @ApiProperty({ example: 'checkout-availability', description: 'DNS-1123 label, unique in the tenant' })
  @IsString()
  name!: string;

  @ApiPropertyOptional({ default: '' })
  @IsOptional()
  @IsString()
  description?: string;

  @ApiProperty({ description: 'the Global Namespace whose member services it covers' })
  @IsString()
  gnsId!: string;

  @ApiProperty({
    type: [String],
    example: ['checkout'],
    description: 'member services of the GNS; their traffic is pooled',
  })
  @IsArray()
  services!: string[];

  @ApiProperty({ type: [SloIndicatorDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => SloIndicatorDto)
  indicators!: SloIndicatorDto[];

  @ApiProperty({ example: 99.9, description: 'objective in percent, strictly between 0 and 100' })
  @IsNumber()
  targetPercent!: number;

  @ApiProperty({ example: '30d', description: 'rolling "<days>d" (1 to 90) or CALENDAR_MONTH (UTC)' })
  @IsString()
  window!: string;

  @ApiPropertyOptional({ enum: ['TIME_SLICES', 'OCCURRENCES'], default: 'TIME_SLICES' })
  @IsOptional()
  @IsString()
  budgeting?: string;

  @ApiPropertyOptional({ enum: ['MONITORED', 'ACTIONABLE'], default: 'MONITORED' })
  @IsOptional()
  @IsString()
  type?: string;

  @ApiPropertyOptional({
    enum: ['GOOD', 'BAD', 'IGNORE'],
    default: 'IGNORE',
    description:
      'how a minute without requests counts: GOOD (a good minute), BAD (a bad minute; TIME_SLICES only) or IGNORE (not counted: the SLO is judged on the minutes with traffic)',
  })
  @IsOptional()
  @IsString()
  noDataPolicy?: string;
}

export class SloIndicatorValueView {
  @ApiProperty() kind!: string;
  @ApiPropertyOptional() percentile?: string;
  @ApiPropertyOptional() thresholdMs?: number;
  @ApiPropertyOptional() maxErrorRatePercent?: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'last complete minute: error rate in % or latency in ms; null without traffic',
  })
  value!: number | null;
  @ApiProperty() holds!: boolean;
}

export class SloBudgetView {
  @ApiProperty({ description: '1 − target' }) allowedBadFraction!: number;
  @ApiProperty() consumedFraction!: number;
  @ApiProperty({ description: 'negative when overspent' }) remainingFraction!: number;
  @ApiProperty() totalSeconds!: number;
  @ApiProperty() consumedSeconds!: number;
  @ApiProperty() remainingSeconds!: number;
}

export class BurnRateView {
  @ApiProperty({ enum: ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] }) window!: string;
  @ApiProperty({ description: '1 spends exactly the budget over the SLO window' }) rate!: number;
}

export class ActiveAlertView {
  @ApiProperty({ example: 'PAGE_1H_5M' }) rule!: string;
  @ApiProperty({ enum: ['PAGE', 'TICKET'] }) severity!: string;
  @ApiProperty() firedAt!: string;
}

export class SloCoverageView {
  @ApiProperty({
    description:
      'the earliest minute with evaluated data; window time before it counts as good (no traffic known)',
  })
  evaluatedFrom!: string;
  @ApiProperty({
    description: 'true while older telemetry is still being backfilled, so evaluatedFrom will move back',
  })
  backfilling!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'time before this was judged from hourly rollups (time slices counted occurrences-style); null when all is per minute',
  })
  hourlyUntil!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'after an outage: minutes from here are still being caught up (counted good until then); null when caught up',
  })
  catchingUpFrom!: string | null;
}

export class SloStatusView {
  @ApiProperty({ enum: ['HEALTHY', 'WARNING', 'VIOLATED'] }) health!: string;
  @ApiProperty({ description: 'the minute boundary evaluated: every minute before it counts' })
  evaluatedAt!: string;
  @ApiProperty() windowStart!: string;
  @ApiProperty() windowEnd!: string;
  @ApiProperty({ description: 'good fraction of the window so far (0..1)' }) compliance!: number;
  @ApiProperty() meetsTarget!: boolean;
  @ApiProperty({ type: SloBudgetView }) budget!: SloBudgetView;
  @ApiProperty({ type: [BurnRateView] }) burnRates!: BurnRateView[];
  @ApiProperty({ type: [SloIndicatorValueView] }) indicators!: SloIndicatorValueView[];
  @ApiProperty({ type: [ActiveAlertView] }) activeAlerts!: ActiveAlertView[];
  @ApiProperty({ type: SloCoverageView }) coverage!: SloCoverageView;
}

export class SloView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() gnsId!: string;
  @ApiProperty({ type: [String] }) services!: string[];
  @ApiProperty({ type: [SloIndicatorDto] }) indicators!: SloIndicatorDto[];
  @ApiProperty() targetPercent!: number;
  @ApiProperty() window!: string;
  @ApiProperty({ enum: ['TIME_SLICES', 'OCCURRENCES'] }) budgeting!: string;
  @ApiProperty({ enum: ['MONITORED', 'ACTIONABLE'] }) type!: string;
  @ApiProperty({
    enum: ['GOOD', 'BAD', 'IGNORE'],
    description:
      'how a minute without requests counts: GOOD (a good minute), BAD (a bad minute; TIME_SLICES only) or IGNORE (not counted: the SLO is judged on the minutes with traffic)',
  })
  noDataPolicy!: string;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: SloStatusView, nullable: true, description: 'null until the first evaluation' })
  status!: SloStatusView | null;
}

export class SloPageView {
  @ApiProperty({ type: [SloView] }) items!: SloView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class SloListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'only the SLOs of this Global Namespace' })
  @IsOptional()
  @IsString()
  gnsId?: string;
}

export class SloEventView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['FIRED', 'RESOLVED'] }) type!: string;
  @ApiProperty() rule!: string;
  @ApiProperty({ enum: ['PAGE', 'TICKET'] }) severity!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ type: Number, nullable: true }) threshold!: number | null;
  @ApiProperty({ type: Number, nullable: true }) longWindowBurnRate!: number | null;
  @ApiProperty({ type: Number, nullable: true }) shortWindowBurnRate!: number | null;
}

export class SloEventListView {
  @ApiProperty({ type: [SloEventView] }) items!: SloEventView[];
}
