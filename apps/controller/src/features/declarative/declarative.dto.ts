import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const APPLY_SET = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;
const APPLY_SET_MESSAGE =
  'must be 1-63 lowercase letters, digits, "-" or ".", starting and ending alphanumeric';

/** Query of the by-name routes. */
export class DeclarativeRefQueryDto {
  @ApiPropertyOptional({
    description:
      'kinds scoped by Global Namespace only (TrafficPolicy, AutoscalingPolicy): the Global Namespace of the service',
  })
  @IsOptional()
  @IsString()
  @Matches(DNS_LABEL, { message: 'must be the name of a Global Namespace (a DNS label)' })
  globalNamespace?: string;
}

export class DeclarativeWriteQueryDto extends DeclarativeRefQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'compute and return the result, change nothing',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

export class DeclarativeApplyQueryDto extends DeclarativeWriteQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'overwrite a resource changed outside apply since the last apply (otherwise 409)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  force?: 'true' | 'false';

  @ApiPropertyOptional({
    default: 'default',
    description: 'the apply set a created resource joins; prune deletes only within one set',
  })
  @IsOptional()
  @IsString()
  @Matches(APPLY_SET, { message: APPLY_SET_MESSAGE })
  applySet?: string;
}

export class PruneRequestDto {
  @ApiProperty({ example: 'default', description: 'the apply set to prune' })
  @IsString()
  @Matches(APPLY_SET, { message: APPLY_SET_MESSAGE })
  applySet!: string;

  @ApiProperty({
    type: [String],
    example: ['GlobalNamespace/shop', 'TrafficPolicy/shop/cart'],
    description:
      'the resources the configuration still names ("Kind/name"; kinds scoped by Global Namespace: "TrafficPolicy/gns/name")',
  })
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  keep!: string[];

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}
