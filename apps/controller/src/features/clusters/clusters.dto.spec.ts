import { DomainError } from '@lattice/domain';
import { createValidationPipe } from '../../platform/http/validation.pipe';
import { CreateClusterDto, UpdateClusterDto } from './clusters.dto';

describe('cluster DTOs: takeOverMeshCa', () => {
  const pipe = createValidationPipe();
  const validate = (metatype: typeof CreateClusterDto | typeof UpdateClusterDto, body: object) =>
    pipe.transform(body, { type: 'body', metatype });

  it('is optional and boolean', async () => {
    await expect(validate(CreateClusterDto, { name: 'east' })).resolves.toEqual({ name: 'east' });
    await expect(validate(CreateClusterDto, { name: 'east', takeOverMeshCa: true })).resolves.toMatchObject({
      takeOverMeshCa: true,
    });
    await expect(validate(UpdateClusterDto, { takeOverMeshCa: false })).resolves.toMatchObject({
      takeOverMeshCa: false,
    });
  });

  it('refuses anything but a boolean, naming the field', async () => {
    for (const [metatype, body] of [
      [CreateClusterDto, { name: 'east', takeOverMeshCa: 'yes' }],
      [UpdateClusterDto, { takeOverMeshCa: 1 }],
      // null is not "unchanged": it was stored as NULL and answered 500 (found by malformed-input).
      [CreateClusterDto, { name: 'east', takeOverMeshCa: null }],
      [UpdateClusterDto, { takeOverMeshCa: null }],
    ] as const) {
      const error: unknown = await validate(metatype, body).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        code: 'VALIDATION',
        fields: [{ field: 'takeOverMeshCa', message: 'must be a boolean value' }],
      });
    }
  });
});

describe('cluster DTOs: network, locality and the east-west gateway', () => {
  const pipe = createValidationPipe();
  const validate = (metatype: typeof CreateClusterDto | typeof UpdateClusterDto, body: object) =>
    pipe.transform(body, { type: 'body', metatype });

  it('takes label values, null to clear, and a non-empty selector', async () => {
    await expect(
      validate(CreateClusterDto, {
        name: 'east',
        network: 'net-east',
        region: 'eu-west-1',
        zone: 'eu-west-1a',
        eastWestGatewayManaged: false,
        eastWestGatewaySelector: { istio: 'eastwestgateway' },
      }),
    ).resolves.toMatchObject({ network: 'net-east', eastWestGatewayManaged: false });
    await expect(
      validate(UpdateClusterDto, { network: null, eastWestGatewaySelector: null }),
    ).resolves.toEqual({
      network: null,
      eastWestGatewaySelector: null,
    });
  });

  it.each([
    ['network', 'has/slash'],
    ['region', 'x'.repeat(64)],
    ['zone', ''],
    ['eastWestGatewayManaged', null],
    ['eastWestGatewayManaged', 'yes'],
    ['eastWestGatewaySelector', {}],
    ['eastWestGatewaySelector', { 'bad key!': 'x' }],
    ['eastWestGatewaySelector', 'istio=eastwestgateway'],
  ])('refuses %s = %j, naming the field', async (field, value) => {
    const error: unknown = await validate(CreateClusterDto, { name: 'east', [field]: value }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: 'VALIDATION',
      fields: expect.arrayContaining([expect.objectContaining({ field })]),
    });
  });
});
