import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { StoredApiToken } from './api-tokens.repository';
import type { Role } from '../../platform/auth/principal.util';

export const ROLES: Role[] = ['admin', 'editor', 'viewer'];

export class CreateTokenDto {
  @ApiProperty({ example: 'ci-pipeline' })
  @IsString()
  @Length(1, 100)
  @Matches(/^[\w .@:/-]+$/, { message: 'may contain letters, digits, spaces and _ . @ : / -' })
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({
    description: 'ISO 8601 time after which the token is refused',
    example: '2027-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  expiresAt?: string;
}

export class ApiTokenView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'visible start of the token, to tell tokens apart' }) prefix!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty() createdAt!: string;
}

export class CreatedApiTokenView extends ApiTokenView {
  @ApiProperty({ description: 'shown once; store it now' }) token!: string;
}

export class ApiTokenPageView {
  @ApiProperty({ type: [ApiTokenView] }) items!: ApiTokenView[];
  @ApiProperty({ nullable: true, type: String, description: 'null on the last page' }) nextCursor!:
    string | null;
}

export function toTokenView(row: StoredApiToken): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
