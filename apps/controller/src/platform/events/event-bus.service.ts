import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { z } from 'zod';
import { RedisService } from '../redis/redis.service';
import type { ChannelDefinition } from './events.types';

/** Receives one decoded JSON message of a channel; validates it for its own handler. */
type Listener = (json: unknown) => void;

/**
 * Typed Redis pub/sub between controller replicas (fire-and-forget: a replica that is not
 * listening misses the message). Channels are declared with `defineChannel` in `<feature>.events.ts`;
 * every message is validated with the channel's schema on receipt, and one that does not match is
 * logged and not handed to the subscriber. All subscriptions share one subscriber connection.
 */
@Injectable()
export class EventBus implements OnModuleDestroy {
  private readonly logger = new Logger(EventBus.name);
  private readonly listeners = new Map<string, Listener[]>();
  private listening = false;

  constructor(private readonly redis: RedisService) {}

  async publish<S extends z.ZodType>(channel: ChannelDefinition<S>, message: z.input<S>): Promise<void> {
    await this.redis.client.publish(this.redisChannel(channel), JSON.stringify(message));
  }

  /** Calls `handler` with every valid message published on `channel` from now on (by any replica). */
  async subscribe<S extends z.ZodType>(
    channel: ChannelDefinition<S>,
    handler: (message: z.output<S>) => void | Promise<void>,
  ): Promise<void> {
    const subscriber = this.redis.subscriberConnection();
    if (!this.listening) {
      subscriber.on('message', this.onMessage);
      this.listening = true;
    }
    const key = this.redisChannel(channel);
    const listeners = this.listeners.get(key);
    const listener = (json: unknown) => this.deliver(channel, handler, json);
    if (listeners) {
      listeners.push(listener);
      return;
    }
    this.listeners.set(key, [listener]);
    await subscriber.subscribe(key);
  }

  /** Stops dispatching; the connection itself is closed by RedisService. */
  async onModuleDestroy(): Promise<void> {
    if (!this.listening) return;
    const subscriber = this.redis.subscriberConnection();
    subscriber.off('message', this.onMessage);
    this.listening = false;
    const channels = [...this.listeners.keys()];
    this.listeners.clear();
    if (channels.length > 0) await subscriber.unsubscribe(...channels).catch(() => undefined);
  }

  private readonly onMessage = (key: string, raw: string): void => {
    const listeners = this.listeners.get(key);
    if (!listeners) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.logger.warn(`ignoring a message on ${key}: not JSON`);
      return;
    }
    for (const listener of listeners) listener(json);
  };

  private deliver<S extends z.ZodType>(
    channel: ChannelDefinition<S>,
    handler: (message: z.output<S>) => void | Promise<void>,
    json: unknown,
  ): void {
    const parsed = channel.schema.safeParse(json);
    if (!parsed.success) {
      this.logger.warn(`ignoring an invalid message on ${channel.name}: ${describeIssues(parsed.error)}`);
      return;
    }
    // Handlers may be async; a failure is theirs to report, here it is only logged.
    Promise.resolve()
      .then(() => handler(parsed.data))
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, `handler of ${channel.name} failed: ${errorMessage(error)}`),
      );
  }

  private redisChannel(channel: ChannelDefinition): string {
    return this.redis.key('events', channel.name);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "tenantId: Invalid UUID; version: …" — one line for the log. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}
