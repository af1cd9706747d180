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
