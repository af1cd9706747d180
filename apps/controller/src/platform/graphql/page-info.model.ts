import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Where a page ends; pass endCursor as `after` for the next one.' })
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}
