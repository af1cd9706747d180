import type { ApplySink } from '@lattice/agent';
import type { KubeObject } from '@lattice/istio';

/**
 * The simulator's sink: applies to memory. It keeps how often it was asked to apply and how many
 * objects the last apply held (and the objects themselves only when asked, to bound memory for
 * large fleets).
 */
export class MemorySink implements ApplySink {
  applies = 0;
  objectCount = 0;
  lastAppliedAtMs: number | undefined;
  objects: KubeObject[] | undefined;

  constructor(
    private readonly keepObjects = false,
    private readonly now: () => number = Date.now,
  ) {}

  async apply(objects: KubeObject[]): Promise<void> {
    this.applies += 1;
    this.objectCount = objects.length;
    this.lastAppliedAtMs = this.now();
    if (this.keepObjects) this.objects = objects;
  }
}
