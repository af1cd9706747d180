import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Kubernetes-style labels: at most 64, keys and values as Kubernetes allows them. */
function IsLabelMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isLabelMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= 64 &&
          Object.entries(value).every(
            ([k, v]) => LABEL_KEY.test(k) && typeof v === 'string' && LABEL_VALUE.test(v),
          ),
        defaultMessage: () =>
          'must map at most 64 Kubernetes label keys to label values (strings of up to 63 characters)',
      },
    },
    options,
  );
}

/** Host name or IP address of the cluster's east-west gateway (without port: it is 15443). */
const ADDRESS =
  /^(([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?|\[?[0-9a-fA-F:]+\]?)$/;

export class CreateClusterDto {
  @ApiProperty({ example: 'eu-west-1', description: 'unique per tenant; DNS-label style' })
  @IsString()
  @Matches(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'must be 1-63 lowercase letters, digits or -, starting and ending alphanumeric',
  })
  name!: string;

  @ApiPropertyOptional({
    example: '203.0.113.10',
    description: 'east-west gateway address other clusters reach this one at (port 15443)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 253)
  @Matches(ADDRESS, { message: 'must be a host name or an IP address, without port' })
  eastWestAddress?: string;

  @ApiPropertyOptional({ example: { region: 'eu-west-1' } })
  @IsOptional()
  @IsObject()
  @IsLabelMap()
  labels?: Record<string, string>;
  @ApiPropertyOptional({
    example: false,
    default: false,
    description:
      'Let the agent replace an existing istio-system/cacerts that Lattice did not create (e.g. a CA installed by hand or by another tool). Without it, such a Secret is never overwritten or deleted and the agent refuses the snapshot (NACK) saying so. A Secret taken over is never deleted, even when the cluster leaves its last global namespace.',
  })
  @IsOptional()
  @IsBoolean()
  takeOverMeshCa?: boolean;
}

export class UpdateClusterDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 253)
  @Matches(ADDRESS, { message: 'must be a host name or an IP address, without port' })
  eastWestAddress?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsObject()
  @IsLabelMap()
  labels?: Record<string, string>;
  @ApiPropertyOptional({
    example: false,
    default: false,
    description:
      'Let the agent replace an existing istio-system/cacerts that Lattice did not create (e.g. a CA installed by hand or by another tool). Without it, such a Secret is never overwritten or deleted and the agent refuses the snapshot (NACK) saying so. A Secret taken over is never deleted, even when the cluster leaves its last global namespace.',
  })
  @IsOptional()
  @IsBoolean()
  takeOverMeshCa?: boolean;
}
