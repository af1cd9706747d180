import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import { z } from 'zod';
import type { RedisService } from '../redis/redis.service';
import { EventBus } from './event-bus.service';
import { defineChannel, type ChannelMessage } from './events.types';

const CLUSTER = '0b7e3c55-8a1d-4f2e-9c6b-5d4e3f2a1b0c';
const parcels = defineChannel('parcel-sent', z.object({ clusterId: z.uuid(), count: z.int().nonnegative() }));

/** A stand-in for ioredis: records commands; `emit('message', channel, raw)` plays Redis delivering. */
class FakeRedis {
  readonly published: [string, string][] = [];
  readonly subscribed: string[] = [];
  readonly unsubscribed: string[] = [];
  readonly subscriber = Object.assign(new EventEmitter(), {
    subscribe: (...channels: string[]) => Promise.resolve(this.subscribed.push(...channels)),
    unsubscribe: (...channels: string[]) => Promise.resolve(this.unsubscribed.push(...channels)),
  });
  readonly client = {
    publish: (channel: string, message: string) => Promise.resolve(this.published.push([channel, message])),
  };
  key(...parts: string[]): string {
    return ['pfx', ...parts].join(':');
  }
  subscriberConnection() {
    return this.subscriber;
  }
}

describe('EventBus', () => {
  let redis: FakeRedis;
  let bus: EventBus;
  let warnings: string[];

  beforeEach(() => {
    redis = new FakeRedis();
    bus = new EventBus(redis as unknown as RedisService);
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((...args: unknown[]) => {
      warnings.push(args.filter((arg) => typeof arg === 'string').join(' '));
    });
  });

  afterEach(() => jest.restoreAllMocks());

  /** Lets the handler promise chain run. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('publishes JSON on the prefixed channel', async () => {
    await bus.publish(parcels, { clusterId: CLUSTER, count: 2 });
    expect(redis.published).toEqual([
      ['pfx:events:parcel-sent', JSON.stringify({ clusterId: CLUSTER, count: 2 })],
    ]);
  });

  it('hands valid messages of the channel to its subscribers, and nothing else', async () => {
    const received: ChannelMessage<typeof parcels>[] = [];
    const alsoReceived: unknown[] = [];
    await bus.subscribe(parcels, (message) => void received.push(message));
    await bus.subscribe(parcels, (message) => void alsoReceived.push(message));

    redis.subscriber.emit(
      'message',
      'pfx:events:parcel-sent',
      JSON.stringify({ clusterId: CLUSTER, count: 3 }),
    );
    redis.subscriber.emit('message', 'pfx:events:other', JSON.stringify({ clusterId: CLUSTER, count: 4 }));
    await settle();

    expect(redis.subscribed).toEqual(['pfx:events:parcel-sent']);
    expect(received).toEqual([{ clusterId: CLUSTER, count: 3 }]);
    expect(alsoReceived).toEqual(received);
    expect(warnings).toEqual([]);
  });

  it('logs an invalid message with the channel name and the problem, and does not call the handler', async () => {
    const received: unknown[] = [];
    await bus.subscribe(parcels, (message) => void received.push(message));

    redis.subscriber.emit(
      'message',
      'pfx:events:parcel-sent',
      JSON.stringify({ clusterId: 'east', count: -1 }),
    );
    redis.subscriber.emit('message', 'pfx:events:parcel-sent', '{not json');
    await settle();

    expect(received).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^ignoring an invalid message on parcel-sent: clusterId: .+; count: .+/);
    expect(warnings[1]).toBe('ignoring a message on pfx:events:parcel-sent: not JSON');
  });

  it('logs a failing handler without affecting the next message', async () => {
    const received: number[] = [];
    await bus.subscribe(parcels, async (message) => {
      if (message.count === 0) throw new Error('boom');
      received.push(message.count);
    });

    redis.subscriber.emit(
      'message',
      'pfx:events:parcel-sent',
      JSON.stringify({ clusterId: CLUSTER, count: 0 }),
    );
    redis.subscriber.emit(
      'message',
      'pfx:events:parcel-sent',
      JSON.stringify({ clusterId: CLUSTER, count: 1 }),
    );
    await settle();

    expect(received).toEqual([1]);
    expect(warnings).toEqual(['handler of parcel-sent failed: boom']);
  });

  it('unsubscribes and stops dispatching on shutdown', async () => {
    const received: unknown[] = [];
    await bus.subscribe(parcels, (message) => void received.push(message));
    await bus.onModuleDestroy();

    redis.subscriber.emit(
      'message',
      'pfx:events:parcel-sent',
      JSON.stringify({ clusterId: CLUSTER, count: 1 }),
    );
    await settle();

    expect(redis.unsubscribed).toEqual(['pfx:events:parcel-sent']);
    expect(received).toEqual([]);
  });
});
