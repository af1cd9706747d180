import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service';

/** Sets a key to ARGV[1] unless it already holds a larger number: watermarks never move back. */
const RAISE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current == false or tonumber(current) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0`;

/**
 * Progress of the hourly rollup, shared by all replicas through Redis:
 * - `target`: hours before it are being or have been rolled up; minutes that arrive later for such
 *   an hour mark it dirty, so the next run recomputes it (late data is not lost).
 * - `rolledUpUntil`: hours before it are complete; queries may read them from telemetry_hours.
 * Losing these keys only costs a recomputation: the next run starts again from the oldest minute.
 */
@Injectable()
export class RollupStateStore {
  constructor(private readonly redis: RedisService) {}

  async target(): Promise<number | null> {
    return toNumber(await this.redis.client.get(this.redis.key('telemetry', 'rollup-target')));
  }

  async rolledUpUntil(): Promise<number | null> {
    return toNumber(await this.redis.client.get(this.redis.key('telemetry', 'rolled-up-until')));
  }

  async raiseTarget(hourMs: number): Promise<void> {
    await this.redis.client.eval(
      RAISE_SCRIPT,
      1,
      this.redis.key('telemetry', 'rollup-target'),
      String(hourMs),
    );
  }

  async raiseRolledUpUntil(hourMs: number): Promise<void> {
    await this.redis.client.eval(
      RAISE_SCRIPT,
      1,
      this.redis.key('telemetry', 'rolled-up-until'),
      String(hourMs),
    );
  }

  async markDirty(tenantId: string, hoursMs: readonly number[]): Promise<void> {
    if (hoursMs.length === 0) return;
    await this.redis.client.sadd(this.dirtyKey(), ...hoursMs.map((hour) => `${tenantId}|${hour}`));
  }

  async dirtyHours(): Promise<{ tenantId: string; hourMs: number; member: string }[]> {
    const members = await this.redis.client.smembers(this.dirtyKey());
    return members.flatMap((member) => {
      const [tenantId, hour] = member.split('|');
      const hourMs = Number(hour);
      return tenantId && Number.isSafeInteger(hourMs) ? [{ tenantId, hourMs, member }] : [];
    });
  }

  /** Removes a dirty mark before the hour is recomputed, so a mark added meanwhile survives. */
  async clearDirty(member: string): Promise<void> {
    await this.redis.client.srem(this.dirtyKey(), member);
  }

  private dirtyKey(): string {
    return this.redis.key('telemetry', 'dirty-hours');
  }
}

function toNumber(value: string | null): number | null {
  if (value === null) return null;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : null;
}
