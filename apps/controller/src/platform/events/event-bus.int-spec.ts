import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { z } from 'zod';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import { RedisService } from '../redis/redis.service';
import { EventBus } from './event-bus.service';
import { defineChannel, type ChannelMessage } from './events.types';

const CLUSTER = '0b7e3c55-8a1d-4f2e-9c6b-5d4e3f2a1b0c';
const revoked = defineChannel('test-revoked', z.object({ clusterId: z.uuid(), reason: z.string() }));

/** One controller replica's Redis and event bus. */
async function replica(config: RuntimeConfig): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    providers: [{ provide: RUNTIME_CONFIG, useValue: config }, RedisService, EventBus],
  }).compile();
  return moduleRef.init();
}

describe('EventBus on real Redis', () => {
  const config = testRuntimeConfig('postgresql://unused');
  let publisher: TestingModule;
  let subscriber: TestingModule;
  const received: ChannelMessage<typeof revoked>[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    publisher = await replica(config);
    subscriber = await replica(config);
    await subscriber.get(EventBus).subscribe(revoked, (message) => void received.push(message));
  });

  afterAll(async () => {
    await publisher?.close();
    await subscriber?.close();
    jest.restoreAllMocks();
  });

  const arrived = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it('delivers a message published on one replica to a subscriber on another', async () => {
    await publisher.get(EventBus).publish(revoked, { clusterId: CLUSTER, reason: 'deleted' });
    await arrived(1);
    expect(received).toEqual([{ clusterId: CLUSTER, reason: 'deleted' }]);
  });

  it('does not deliver an invalid message, and logs the channel and the problem', async () => {
    const redis = publisher.get(RedisService);
    await redis.client.publish(
      `${config.redisPrefix}:events:test-revoked`,
      JSON.stringify({ clusterId: 'east' }),
    );
    // Same connection, so Redis delivers in order: once this one is in, the invalid one was handled.
    await publisher.get(EventBus).publish(revoked, { clusterId: CLUSTER, reason: 'revoked' });
    await arrived(2);

    expect(received).toEqual([
      { clusterId: CLUSTER, reason: 'deleted' },
      { clusterId: CLUSTER, reason: 'revoked' },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^ignoring an invalid message on test-revoked: clusterId: .+; reason: .+/);
  });

  it('keeps replicas with another prefix apart', async () => {
    const other = await replica(testRuntimeConfig('postgresql://unused'));
    try {
      await other.get(EventBus).publish(revoked, { clusterId: CLUSTER, reason: 'elsewhere' });
      await publisher.get(EventBus).publish(revoked, { clusterId: CLUSTER, reason: 'here' });
      await arrived(3);
      expect(received.map((message) => message.reason)).toEqual(['deleted', 'revoked', 'here']);
    } finally {
      await other.close();
    }
  });
});
