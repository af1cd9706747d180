import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';

/**
 * Redis connections: one for commands, one for subscriptions (a subscribed connection cannot run
 * commands; EventBus shares it), and connections for BullMQ (JobRunner). All keys and channels
 * live under the configured prefix so several controllers (or test runs) can share one Redis.
 */
@Injectable()
export class RedisService implements OnModuleDestroy {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  private subscriber?: Redis;
  private readonly opened: Redis[] = [];

  constructor(@Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig) {
    this.client = this.open('commands');
  }

  get prefix(): string {
    return this.config.redisPrefix;
  }

  key(...parts: string[]): string {
    return [this.config.redisPrefix, ...parts].join(':');
  }

  subscriberConnection(): Redis {
    this.subscriber ??= this.open('subscriber');
    return this.subscriber;
  }

  /** A new connection for BullMQ (no request retry limit, as its workers require). */
  connectionForQueue(): Redis {
    return this.open('queue', { maxRetriesPerRequest: null });
  }

  async ping(): Promise<boolean> {
    return (await this.client.ping()) === 'PONG';
  }

  private open(role: string, extra: RedisOptions = {}): Redis {
    const connection = new Redis(this.config.redisUrl, { connectionName: `lattice-${role}`, ...extra });
    connection.on('error', (error) => this.logger.warn(`redis ${role} connection: ${error.message}`));
    this.opened.push(connection);
    return connection;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled(this.opened.map((c) => c.quit()));
  }
}
