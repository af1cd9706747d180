import { Field, ObjectType } from '@nestjs/graphql';

/** Relay's PageInfo for forward paging (`first`/`after`). */
@ObjectType({
  description:
    'Where a page of a connection starts and ends; pass endCursor as `after` to get the next page.',
})
export class PageInfo {
  @Field(() => String, {
    nullable: true,
    description: 'The cursor of the first edge; null on an empty page.',
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The cursor of the last edge (pass it as `after` for the next page); null on an empty page.',
  })
  endCursor!: string | null;

  @Field({ description: 'True when another page follows this one.' })
  hasNextPage!: boolean;

  @Field({
    description:
      'True when the page was asked for after a cursor. Lists page forward only: use an earlier cursor to go back.',
  })
  hasPreviousPage!: boolean;
}
