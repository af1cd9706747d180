import type { ClusterInventory, InventoryListener, InventorySource } from '@lattice/agent';

/** A fixed inventory that can be replaced (to simulate a deployment) with `update`. */
export class StaticInventorySource implements InventorySource {
  private readonly listeners = new Set<InventoryListener>();

  constructor(private inventory: ClusterInventory) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.listeners.clear();
  }

  current(): ClusterInventory {
    return this.inventory;
  }

  subscribe(listener: InventoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(inventory: ClusterInventory): void {
    this.inventory = inventory;
    for (const listener of this.listeners) listener(inventory);
  }
}
