import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { SELECTOR_TYPES, type SelectorType } from '@lattice/domain';
import type { MtlsMode } from '../../generated/prisma/client';
import type { StoredGlobalNamespace } from './global-namespaces.repository';
import { PageInfo } from '../../platform/graphql/page';

const SELECTOR_TYPE_ENUM = Object.fromEntries(SELECTOR_TYPES.map((type) => [type, type])) as Record<SelectorType, SelectorType>;
registerEnumType(SELECTOR_TYPE_ENUM, { name: 'SelectorType', description: 'REGEX must match the whole name.' });

const MTLS_MODES = { STRICT: 'STRICT', PERMISSIVE: 'PERMISSIVE' } as const satisfies Record<MtlsMode, MtlsMode>;
registerEnumType(MTLS_MODES, { name: 'MtlsMode' });

@ObjectType()
export class Selector {
  @Field(() => SELECTOR_TYPE_ENUM)
  type!: SelectorType;

  @Field()
  value!: string;
}

@ObjectType({ description: 'A (cluster, namespace) pair is a member when both selectors match.' })
export class MatchCondition {
  @Field(() => Selector)
  cluster!: Selector;

  @Field(() => Selector)
  namespace!: Selector;
}

@ObjectType()
export class GlobalNamespace {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'Services are reachable as <service>.<domain>.' })
  domain!: string;

  @Field()
  description!: string;

  @Field(() => MTLS_MODES)
  mtlsMode!: MtlsMode;

  @Field(() => [MatchCondition])
  matchConditions!: MatchCondition[];

  @Field(() => Int)
  version!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;

  static from(row: StoredGlobalNamespace): GlobalNamespace {
    return {
      id: row.id,
      name: row.name,
      domain: row.domain,
      description: row.description,
      mtlsMode: row.mtlsMode,
      matchConditions: row.matchConditions,
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}

@ObjectType()
export class GlobalNamespacePage {
  @Field(() => [GlobalNamespace])
  nodes!: GlobalNamespace[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
