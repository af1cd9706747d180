import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description: 'Where a page of a connection ends; pass endCursor as `after` to get the next page.',
})
export class PageInfo {
  @Field(() => String, {
    nullable: true,
    description: 'The cursor to pass as `after` for the next page; null on the last page.',
  })
  endCursor!: string | null;

  @Field({ description: 'True when another page follows this one.' })
  hasNextPage!: boolean;
}
