import type { AgentMessage } from '@lattice/proto';
import type { ClusterInventory } from './inventory-source.port';
import { diffInventory, isEmptyDelta } from './inventory-diff.util';

export type InventoryReport = NonNullable<AgentMessage['inventory']>;

/**
 * Turns the inventories a source emits into Inventory messages: the full inventory first on each
 * stream, then deltas against what this stream already reported; nothing when nothing changed.
 * Every message carries a new, higher revision.
 */
export class InventoryReporter {
  private lastRevision: number;
  /** What the controller has from the current stream; undefined until the full inventory is sent. */
  private reported: ClusterInventory | undefined;

  /** `firstRevision` is seeded from the clock so revisions also increase across restarts of the agent. */
  constructor(firstRevision: number) {
    this.lastRevision = firstRevision;
  }

  /** Revision of the last report (the seed before the first one). */
  get revision(): number {
    return this.lastRevision;
  }

  /** A new stream knows nothing yet: the next report is a full one. */
  streamStarted(): void {
    this.reported = undefined;
  }

  /** The message that brings the stream up to `inventory`, or undefined when it already is. */
  report(inventory: ClusterInventory): InventoryReport | undefined {
    const previous = this.reported;
    let message: InventoryReport;
    if (!previous) {
      message = {
        full: true,
        namespaces: inventory.namespaces,
        services: inventory.services,
        revision: ++this.lastRevision,
      };
    } else {
      const delta = diffInventory(previous, inventory);
      if (isEmptyDelta(delta)) return undefined;
      message = {
        full: false,
        namespaces: delta.upsertedNamespaces,
        services: delta.upsertedServices,
        removedNamespaces: delta.removedNamespaces,
        removedServices: delta.removedServices,
        revision: ++this.lastRevision,
      };
    }
    this.reported = inventory;
    return message;
  }
}
