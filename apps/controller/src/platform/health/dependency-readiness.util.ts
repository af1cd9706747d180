/** What one readiness check of a shared dependency (PostgreSQL, Redis) concluded. */
export interface DependencyVerdict {
  /** `ok`, or what failed and for how long. */
  readonly check: string;
  /** False only once the dependency has failed for longer than the grace period. */
  readonly ready: boolean;
}

/**
 * Readiness that tolerates blips of shared dependencies. Every replica shares one PostgreSQL and
 * one Redis: if a two-second blip failed readiness at once, every replica would leave the Service
 * together and a brief partial outage (some requests fail) would become a full one (connections
 * refused, agents disconnected). So a failing dependency keeps the replica ready for `graceMs`
 * after its first failure — the checks still say what is failing — and only a dependency that
 * stays down takes the replica out. Liveness never looks at dependencies.
 */
export class DependencyReadiness {
  private readonly failingSince = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  /** Records the outcome of one check (`ok` or a failure message) made at `nowMs`. */
  observe(name: string, outcome: string, nowMs: number): DependencyVerdict {
    if (outcome === 'ok') {
      this.failingSince.delete(name);
      return { check: 'ok', ready: true };
    }
    const since = this.failingSince.get(name) ?? nowMs;
    this.failingSince.set(name, since);
    const failingMs = nowMs - since;
    const ready = failingMs < this.graceMs;
    const seconds = Math.floor(failingMs / 1000);
    return {
      check: `${outcome} (failing for ${seconds} s; ${ready ? `not ready after ${Math.ceil(this.graceMs / 1000)} s` : 'not ready'})`,
      ready,
    };
  }
}
