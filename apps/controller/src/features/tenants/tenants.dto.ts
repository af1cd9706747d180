import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { StoredTenant } from './tenants.repository';

export class CreateTenantDto {
  @ApiProperty({
    example: 'acme',
    description: 'DNS-label style: lowercase letters, digits and -, 2-63 chars',
  })
  @IsString()
  @Matches(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])$/, {
    message: 'must be 2-63 lowercase letters, digits or -, starting and ending alphanumeric',
  })
  name!: string;
}

/** A recovery admin token: both fields optional (name `recovery-admin`, expiry in 24 hours). */
export class CreateRecoveryTokenDto {
  @ApiPropertyOptional({ example: 'recovery-admin' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/^[\w .@:/-]+$/, { message: 'may contain letters, digits, spaces and _ . @ : / -' })
  name?: string;

  @ApiPropertyOptional({
    description: 'ISO 8601 time after which the token is refused; 24 hours from now when left out',
    example: '2027-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  expiresAt?: string;
}

export class TenantView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'acme' }) name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class TenantPageView {
  @ApiProperty({ type: [TenantView] }) items!: TenantView[];
  @ApiProperty({ nullable: true, type: String, description: 'null on the last page' }) nextCursor!:
    string | null;
}

/**
 * The created API token is documented by the tokens feature (CreatedApiTokenView); referenced by
 * name, since a feature does not import another feature's DTOs.
 */
export const CREATED_TOKEN_SCHEMA = { $ref: getSchemaPath('CreatedApiTokenView') };

export class CreatedTenantView {
  @ApiProperty({ type: TenantView }) tenant!: TenantView;
  @ApiProperty({ ...CREATED_TOKEN_SCHEMA, description: 'the first admin token, shown once' })
  adminToken!: object;
}

export const toTenantView = (tenant: StoredTenant): TenantView => ({
  id: tenant.id,
  name: tenant.name,
  createdAt: tenant.createdAt.toISOString(),
});
