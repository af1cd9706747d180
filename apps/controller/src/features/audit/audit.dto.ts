import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../platform/http/pagination.dto';
import type { AuditRecord } from './audit.repository';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'cluster' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  resourceType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  resourceId?: string;
}

export class AuditActorView {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'null for the platform operator and background jobs',
  })
  tokenId!: string | null;
  @ApiProperty({ example: 'ci-pipeline', description: 'token name, platform-operator or the job' })
  name!: string;
}

export class AuditEventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: AuditActorView }) actor!: AuditActorView;
  @ApiProperty({ example: 'global-namespace.update' }) action!: string;
  @ApiProperty({ example: 'global-namespace' }) resourceType!: string;
  @ApiProperty() resourceId!: string;
  @ApiProperty({ description: 'the object before the change (JSON), null when created', nullable: true })
  before!: unknown;
  @ApiProperty({ description: 'the object after the change (JSON), null when deleted', nullable: true })
  after!: unknown;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'X-Request-Id of the request that made the change; null for background jobs',
  })
  requestId!: string | null;
}

export class AuditEventPageView {
  @ApiProperty({ type: [AuditEventView] }) items!: AuditEventView[];
  @ApiProperty({ nullable: true, type: String, description: 'null on the last page' }) nextCursor!:
    string | null;
}

export function toAuditEventView(event: AuditRecord): AuditEventView {
  return {
    id: event.id,
    at: event.createdAt.toISOString(),
    actor: { tokenId: event.actorTokenId, name: event.actorName },
    action: event.action,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    before: event.before,
    after: event.after,
    requestId: event.correlationId,
  };
}
