import type { z } from 'zod';

/**
 * A Redis pub/sub channel as a feature declares it in its `<feature>.events.ts`: publishers and
 * subscribers share this object, so the message type is checked at compile time on both sides and
 * every message is validated with the schema when it arrives.
 */
export interface ChannelDefinition<Schema extends z.ZodType = z.ZodType> {
  /** Channel name; on Redis it is `<prefix>:events:<name>`. */
  readonly name: string;
  readonly schema: Schema;
}

/** Declares a channel; returns its argument, typed so that its messages are known. */
export function defineChannel<Schema extends z.ZodType>(
  name: string,
  schema: Schema,
): ChannelDefinition<Schema> {
  return { name, schema };
}

/** What a subscriber receives: the message after validation (the schema's output type). */
export type ChannelMessage<C extends ChannelDefinition> = z.output<C['schema']>;
