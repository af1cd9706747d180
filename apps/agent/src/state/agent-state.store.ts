import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { keyMatchesCertificate } from '../pki/agent-keys.util';
import {
  ensurePrivateDirectory,
  isNotFound,
  readFileIfExists,
  syncDirectory,
  writeFileAtomic,
} from './atomic-write.util';

export interface AgentIdentity {
  clusterId: string;
  tenantId: string;
  /** The controller address the credentials were issued by (host:port). */
  controller: string;
}

export interface AgentCredentials {
  keyPem: string;
  certPem: string;
  /** CA bundle to trust for the controller (and that signs agent certificates). */
  caPem: string;
  identity: AgentIdentity;
}

/** The last applied snapshot, kept byte-exact so its checksum can be verified again on restore. */
export interface PersistedSnapshot {
  version: number;
  format: string;
  checksum: string;
  /** The snapshot payload (UTF-8 JSON of DesiredClusterState). */
  payload: string;
}

export interface StoredIntermediateKey {
  gnsId: string;
  rootGeneration: number;
  keyPem: string;
  /** Names the key in its store (the file name); what deleteIntermediateKey takes. */
  id: string;
  /** When the key (and its CSR) was made, ms since the epoch; 0 when unknown (older agents). */
  createdAtMs: number;
}

export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
}

const identitySchema = z.object({
  clusterId: z.string().min(1),
  tenantId: z.string().min(1),
  controller: z.string(),
});
const persistedSnapshotSchema = z.object({
  version: z.number().int().nonnegative(),
  format: z.string(),
  checksum: z.string(),
  payload: z.string(),
});

/** GNS ids become file names; anything beyond this alphabet could escape the directory. */
const SAFE_ID = /^[A-Za-z0-9_.-]{1,128}$/;
/** `<gns>-<generation>-<createdAtMs>-<random>.key.pem`; the random part tells keys of one ms apart. */
const INTERMEDIATE_FILE = /^(.+)-(\d+)-(\d+)-([0-9a-f]{8})\.key\.pem$/;
/** Written by agents before every CSR got a fresh key: one key per (GNS, generation). */
const LEGACY_INTERMEDIATE_FILE = /^(.+)-(\d+)\.key\.pem$/;
const INTERMEDIATES_DIR = 'intermediates';

const CREDENTIAL_FILES = {
  key: 'key.pem',
  cert: 'cert.pem',
  ca: 'ca.pem',
  identity: 'identity.json',
} as const;
const STAGING_DIR = 'credentials.next';
const STAGING_COMPLETE = 'COMPLETE';

/**
 * Where an agent keeps its credentials, last applied snapshot and intermediate CA keys. The agent
 * uses a directory (AgentStateStore); a fleet simulator keeps thousands of agents in memory.
 */
export interface AgentStateStorage {
  /** Shown in messages (the directory, or a description of the store). */
  readonly directory: string;
  ensureDirectory(): Promise<void>;
  readCredentials(): Promise<AgentCredentials | undefined>;
  writeCredentials(credentials: AgentCredentials): Promise<void>;
  readSnapshot(): Promise<PersistedSnapshot | undefined>;
  writeSnapshot(snapshot: PersistedSnapshot): Promise<void>;
  /** Stores a new key (never replaces one); returns where it is (a path, or a description). */
  writeIntermediateKey(
    gnsId: string,
    rootGeneration: number,
    keyPem: string,
    createdAtMs?: number,
  ): Promise<string>;
  listIntermediateKeys(): Promise<StoredIntermediateKey[]>;
  /** Removes a key by its id; an unknown id is not an error (already removed). */
  deleteIntermediateKey(id: string): Promise<void>;
}

/**
 * The agent's state directory: credentials, the last applied snapshot and intermediate CA keys.
 * Every write is atomic; files are 0600 and folders 0700 (atomic-write.util). A credential swap (register, renewal) stages all files, marks the stage
 * complete, then renames them into place; a crash in between is finished on the next read, so the
 * key and the certificate on disk always belong together.
 */
export class AgentStateStore implements AgentStateStorage {
  constructor(readonly directory: string) {}

  async readCredentials(): Promise<AgentCredentials | undefined> {
    await this.recoverInterruptedSwap();
    const [keyPem, certPem, caPem, identityJson] = await Promise.all(
      Object.values(CREDENTIAL_FILES).map((file) => readFileIfExists(this.file(file))),
    );
    const present = [keyPem, certPem, caPem, identityJson].filter((content) => content !== undefined).length;
    if (present === 0) return undefined;
    if (keyPem === undefined || certPem === undefined || caPem === undefined || identityJson === undefined) {
      throw new StateStoreError(
        `incomplete credentials in ${this.directory} (need ${Object.values(CREDENTIAL_FILES).join(', ')}); ` +
          'remove the directory and register again with a new bootstrap token',
      );
    }
    if (!keyMatchesCertificate(keyPem, certPem)) {
      throw new StateStoreError(
        `${this.file(CREDENTIAL_FILES.key)} does not match ${this.file(CREDENTIAL_FILES.cert)}`,
      );
    }
    const identity = identitySchema.safeParse(parseJsonOrUndefined(identityJson));
    if (!identity.success) {
      throw new StateStoreError(
        `${this.file(CREDENTIAL_FILES.identity)} is not a valid identity: ${identity.error.issues[0]?.message}`,
      );
    }
    return { keyPem, certPem, caPem, identity: identity.data };
  }

  async writeCredentials(credentials: AgentCredentials): Promise<void> {
    await this.ensureDirectory();
    const staging = this.file(STAGING_DIR);
    await fs.rm(staging, { recursive: true, force: true });
    await ensurePrivateDirectory(staging);
    await writeFileAtomic(path.join(staging, CREDENTIAL_FILES.key), credentials.keyPem);
    await writeFileAtomic(path.join(staging, CREDENTIAL_FILES.cert), credentials.certPem);
    await writeFileAtomic(path.join(staging, CREDENTIAL_FILES.ca), credentials.caPem);
    await writeFileAtomic(
      path.join(staging, CREDENTIAL_FILES.identity),
      `${JSON.stringify(credentials.identity, null, 2)}\n`,
    );
    await writeFileAtomic(path.join(staging, STAGING_COMPLETE), '');
    await this.promoteStaging();
  }

  async readSnapshot(): Promise<PersistedSnapshot | undefined> {
    const text = await readFileIfExists(this.file('snapshot.json'));
    if (text === undefined) return undefined;
    const parsed = persistedSnapshotSchema.safeParse(parseJsonOrUndefined(text));
    if (!parsed.success) throw new StateStoreError(`${this.file('snapshot.json')} is corrupt`);
    return parsed.data;
  }

  async writeSnapshot(snapshot: PersistedSnapshot): Promise<void> {
    await this.ensureDirectory();
    await writeFileAtomic(this.file('snapshot.json'), JSON.stringify(snapshot));
  }

  async writeIntermediateKey(
    gnsId: string,
    rootGeneration: number,
    keyPem: string,
    createdAtMs: number = Date.now(),
  ): Promise<string> {
    assertSafeId(gnsId);
    if (!Number.isSafeInteger(rootGeneration) || rootGeneration < 0)
      throw new StateStoreError(`root generation ${rootGeneration} is not a non-negative integer`);
    const directory = this.file(INTERMEDIATES_DIR);
    await ensurePrivateDirectory(directory);
    const created = Math.max(0, Math.floor(createdAtMs));
    const filePath = path.join(
      directory,
      `${gnsId}-${rootGeneration}-${created}-${randomBytes(4).toString('hex')}.key.pem`,
    );
    await writeFileAtomic(filePath, keyPem);
    return filePath;
  }

  async deleteIntermediateKey(id: string): Promise<void> {
    // Only names listIntermediateKeys hands out: an id can never point outside the directory.
    if (!INTERMEDIATE_FILE.test(id) && !LEGACY_INTERMEDIATE_FILE.test(id))
      throw new StateStoreError(`${JSON.stringify(id)} is not an intermediate key file`);
    if (path.basename(id) !== id) throw new StateStoreError(`${JSON.stringify(id)} is not a file name`);
    const directory = this.file(INTERMEDIATES_DIR);
    await fs.rm(path.join(directory, id), { force: true });
    await syncDirectory(directory);
  }

  async listIntermediateKeys(): Promise<StoredIntermediateKey[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.file(INTERMEDIATES_DIR));
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const keys: StoredIntermediateKey[] = [];
    for (const name of names) {
      const match = INTERMEDIATE_FILE.exec(name);
      const legacy = match ? null : LEGACY_INTERMEDIATE_FILE.exec(name);
      const parsed = match ?? legacy;
      if (!parsed) continue; // temporary files of an interrupted write, strangers
      const keyPem = await readFileIfExists(path.join(this.file(INTERMEDIATES_DIR), name));
      if (keyPem === undefined) continue;
      keys.push({
        gnsId: parsed[1] as string,
        rootGeneration: Number(parsed[2]),
        keyPem,
        id: name,
        createdAtMs: match ? Number(match[3]) : 0,
      });
    }
    // Oldest first, so callers (and tests) see a stable order.
    return keys.sort(
      (a, b) =>
        a.gnsId.localeCompare(b.gnsId) ||
        a.rootGeneration - b.rootGeneration ||
        a.createdAtMs - b.createdAtMs ||
        a.id.localeCompare(b.id),
    );
  }

  async ensureDirectory(): Promise<void> {
    await ensurePrivateDirectory(this.directory);
  }

  private file(name: string): string {
    return path.join(this.directory, name);
  }

  private async recoverInterruptedSwap(): Promise<void> {
    const staging = this.file(STAGING_DIR);
    const complete = await readFileIfExists(path.join(staging, STAGING_COMPLETE));
    if (complete !== undefined) {
      await this.promoteStaging();
    } else {
      // Staging never completed: the previous credentials are still whole; drop the partial set.
      await fs.rm(staging, { recursive: true, force: true });
    }
  }

  private async promoteStaging(): Promise<void> {
    const staging = this.file(STAGING_DIR);
    for (const file of Object.values(CREDENTIAL_FILES)) {
      try {
        await fs.rename(path.join(staging, file), this.file(file));
      } catch (error) {
        // Already moved by an earlier, interrupted promotion.
        if (!isNotFound(error)) throw error;
      }
    }
    await syncDirectory(this.directory);
    await fs.rm(staging, { recursive: true, force: true });
  }
}

function assertSafeId(gnsId: string): void {
  if (!SAFE_ID.test(gnsId))
    throw new StateStoreError(`GNS id ${JSON.stringify(gnsId)} is not a safe file name`);
}

export function isSafeGnsId(gnsId: string): boolean {
  return SAFE_ID.test(gnsId);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
