import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
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

export const toTenantView = (tenant: StoredTenant) => ({
  id: tenant.id,
  name: tenant.name,
  createdAt: tenant.createdAt.toISOString(),
});
