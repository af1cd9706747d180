import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  lowestFreeAddress,
  planAddresses,
  servicesNeedingAddresses,
  type MembershipResult,
  type ServiceAddressKey,
  type StoredServiceAddress,
  type VirtualAddressesByGns,
} from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { VirtualAddressesRepository } from './virtual-addresses.repository';

/** Attempts per service before giving up for this run (each failed attempt re-reads the table). */
const MAX_ATTEMPTS = 8;

/**
 * Stable virtual addresses of the tenant's TCP/TLS GNS hosts (libs/domain virtual-addresses.ts):
 * kept while the service is in its GNS, released when it leaves, allocated lowest-free from
 * LATTICE_SERVICE_VIP_RANGE. Safe with concurrent recomputations on several replicas: the unique
 * indexes decide, and a loser re-reads and takes the winner's address for the same service or the
 * next free one.
 */
@Injectable()
export class VirtualAddressService {
  private readonly logger = new Logger(VirtualAddressService.name);

  constructor(
    private readonly repository: VirtualAddressesRepository,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** The addresses the membership's services have, allocating and releasing as needed. */
  async ensure(tenantId: string, membership: MembershipResult): Promise<VirtualAddressesByGns> {
    const range = this.config.env.LATTICE_SERVICE_VIP_RANGE;
    const stored = await this.repository.list(tenantId);
    const plan = planAddresses(servicesNeedingAddresses(membership), stored, range);
    await this.repository.release(tenantId, plan.release);
    const assigned = [...plan.keep];
    const used = new Set(stored.map((entry) => entry.address));
    for (const key of plan.allocate) {
      const address = await this.allocate(tenantId, key, used);
      if (address !== null) assigned.push({ ...key, address });
    }
    return byGns(assigned);
  }

  /** The stored addresses of the membership's services, without writing anything. */
  async current(tenantId: string, membership: MembershipResult): Promise<VirtualAddressesByGns> {
    const range = this.config.env.LATTICE_SERVICE_VIP_RANGE;
    const plan = planAddresses(
      servicesNeedingAddresses(membership),
      await this.repository.list(tenantId),
      range,
    );
    return byGns(plan.keep);
  }

  private async allocate(
    tenantId: string,
    key: ServiceAddressKey,
    used: Set<string>,
  ): Promise<string | null> {
    const range = this.config.env.LATTICE_SERVICE_VIP_RANGE;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const candidate = lowestFreeAddress(range, used);
      if (candidate === null) {
        this.logger.warn(
          { tenantId, gnsId: key.gnsId, service: key.service, range: range.cidr },
          'LATTICE_SERVICE_VIP_RANGE is exhausted: the service gets no virtual address',
        );
        return null;
      }
      if (await this.repository.insert(tenantId, key, candidate)) {
        used.add(candidate);
        return candidate;
      }
      // Another recomputation won: either it gave this service an address, or took the candidate.
      const current = await this.repository.list(tenantId);
      const mine = current.find((entry) => entry.gnsId === key.gnsId && entry.service === key.service);
      if (mine) return mine.address;
      for (const entry of current) used.add(entry.address);
      used.add(candidate);
    }
    this.logger.warn(
      { tenantId, gnsId: key.gnsId, service: key.service },
      'no virtual address after repeated conflicts; the next recomputation tries again',
    );
    return null;
  }
}

function byGns(entries: readonly StoredServiceAddress[]): VirtualAddressesByGns {
  const result = new Map<string, Map<string, string>>();
  for (const entry of entries) {
    const services = result.get(entry.gnsId) ?? new Map<string, string>();
    services.set(entry.service, entry.address);
    result.set(entry.gnsId, services);
  }
  return result;
}
