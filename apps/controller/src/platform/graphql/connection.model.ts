import type { Type } from '@nestjs/common';
import { Field, ObjectType } from '@nestjs/graphql';
import { PageInfo } from './page-info.model';

/** One item of a connection with its own cursor (pass it as `after` to continue after it). */
export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A page of a connection: the items as `nodes` and as `edges` (with cursors), and where it ends. */
export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
}

/**
 * The GraphQL types of a connection of `node` (Relay's connection model): `<Name>Edge` and an
 * abstract base for `<Name>Connection`, which a feature declares as
 * `@ObjectType({ description }) export class ClusterConnection extends ConnectionType(Cluster, 'Cluster') {}`.
 */
export function ConnectionType<T>(node: Type<T>, name: string): Type<Connection<T>> {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeType implements Edge<T> {
    @Field({ description: `Pass as \`after\` to continue after this ${name}.` })
    cursor!: string;

    @Field(() => node, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionBase implements Connection<T> {
    @Field(() => [EdgeType], { description: 'The items of this page with their cursors.' })
    edges!: Edge<T>[];

    @Field(() => [node], { description: 'The items of this page (the nodes of `edges`).' })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'Where this page ends and whether another follows.' })
    pageInfo!: PageInfo;
  }
  return ConnectionBase as Type<Connection<T>>;
}
