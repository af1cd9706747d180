import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service';
import { snapshotChannel, type SnapshotAnnouncement } from './snapshot-channel';

/** Announces new snapshot versions to every replica; the one holding the agent's stream pushes it. */
@Injectable()
export class SnapshotPublisher {
  constructor(private readonly redis: RedisService) {}

  async announce(announcement: SnapshotAnnouncement): Promise<void> {
    await this.redis.client.publish(snapshotChannel(this.redis.prefix), JSON.stringify(announcement));
  }
}
