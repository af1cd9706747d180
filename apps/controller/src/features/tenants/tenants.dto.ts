import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

export const toTenantView = (tenant: StoredTenant) => ({
  id: tenant.id,
  name: tenant.name,
  createdAt: tenant.createdAt.toISOString(),
});
