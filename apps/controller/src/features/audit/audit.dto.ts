import { ApiPropertyOptional } from '@nestjs/swagger';
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

export function toAuditEventView(event: AuditRecord) {
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
