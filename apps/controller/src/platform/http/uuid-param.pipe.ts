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
  constructor(private readonly resource: string) {}

  transform(value: string): string {
    if (!UUID.test(value)) throw DomainError.notFound(this.resource, value);
    return value.toLowerCase();
  }
}
