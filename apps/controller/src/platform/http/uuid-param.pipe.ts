import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '@lattice/domain';

/** Ids of stored objects are UUIDs; checking first keeps malformed ids away from the database. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids in paths are UUIDs. Anything else cannot name an existing object, so it gets the same 404 as
 * an unknown or foreign id (never a database error).
 */
@Injectable()
export class ResourceIdPipe implements PipeTransform<string, string> {
  /** `optional`: an omitted (or null) id passes as undefined, for optional filters such as `slos(gnsId)`. */
  constructor(
    private readonly resource: string,
    private readonly options: { optional?: boolean } = {},
  ) {}

  transform(value: string): string;
  transform(value: string | null | undefined): string | undefined;
  transform(value: string | null | undefined): string | undefined {
    if (this.options.optional && (value === undefined || value === null)) return undefined;
    if (typeof value !== 'string' || !UUID.test(value))
      throw DomainError.notFound(this.resource, String(value));
    return value.toLowerCase();
  }
}
