import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import type { KeyAndCsr } from '@lattice/agent';
import { nativeRsaSha256Signer } from '@lattice/pki';

const generateKeyPairAsync = promisify(generateKeyPair);

export type RsaModulusLength = 2048 | 3072;

interface CachedKeys {
  format: 'lattice-sim-keys/1';
  modulusLength: number;
  keys: string[];
}

/**
 * RSA keys for simulated agents. The agent CA accepts only RSA CSRs (libs/pki/src/csr.ts), and
 * generating a 2048-bit key costs tens of milliseconds of CPU, so a fleet of thousands takes
 * minutes just for keys. The pool generates `size` keys once, optionally keeps them in a cache
 * file for later runs, and hands key `i mod size` to agent `i`: with size >= agents every agent
 * has its own key; a smaller pool shares keys between agents (each still gets its own
 * certificate and identity, which is what the controller checks). CSRs are signed by OpenSSL.
 */
export class AgentKeyPool {
  private readonly keys = new Map<RsaModulusLength, string[]>();
  private readonly parsed = new Map<string, { privateKey: KeyObject; publicKeyPem: string }>();
  private nextIntermediate = 0;

  constructor(
    private readonly options: {
      size: number;
      /** Directory of the key cache (one JSON file per modulus length); undefined: no cache. */
      cacheDirectory?: string;
      /** Intermediate (3072-bit) keys, generated only when a GNS CA asks for them. */
      intermediateSize?: number;
      onProgress?: (generated: number, total: number) => void;
    },
  ) {}

  /** Loads or generates the agents' 2048-bit keys. */
  async prepare(): Promise<void> {
    await this.ensure(2048, this.options.size);
  }

  /** A `createKeyAndCsr` for agent `index` (AgentDependencies.createKeyAndCsr). */
  keyFactoryFor(index: number): (commonName: string, modulusLength: RsaModulusLength) => Promise<KeyAndCsr> {
    return async (commonName, modulusLength) => {
      let keyPem: string;
      if (modulusLength === 2048) {
        const keys = await this.ensure(2048, this.options.size);
        keyPem = keys[index % keys.length] as string;
      } else {
        const keys = await this.ensure(modulusLength, this.options.intermediateSize ?? 4);
        keyPem = keys[this.nextIntermediate++ % keys.length] as string;
      }
      return { keyPem, csrPem: this.csrFor(keyPem, commonName) };
    };
  }

  private inflight = new Map<RsaModulusLength, Promise<string[]>>();

  private ensure(modulusLength: RsaModulusLength, size: number): Promise<string[]> {
    const ready = this.keys.get(modulusLength);
    if (ready && ready.length >= size) return Promise.resolve(ready);
    let pending = this.inflight.get(modulusLength);
    if (!pending) {
      pending = this.load(modulusLength, size).then((keys) => {
        this.keys.set(modulusLength, keys);
        this.inflight.delete(modulusLength);
        return keys;
      });
      this.inflight.set(modulusLength, pending);
    }
    return pending;
  }

  private async load(modulusLength: RsaModulusLength, size: number): Promise<string[]> {
    const file = this.options.cacheDirectory
      ? path.join(this.options.cacheDirectory, `rsa-${modulusLength}.json`)
      : undefined;
    let keys: string[] = [];
    if (file) keys = await readCache(file, modulusLength);
    if (keys.length >= size) return keys;
    const missing = size - keys.length;
    // Four at a time: generateKeyPair runs on libuv's thread pool (4 threads by default).
    let generated = 0;
    const fresh: string[] = [];
    const worker = async (): Promise<void> => {
      while (fresh.length + inProgress < missing) {
        inProgress += 1;
        const { privateKey } = await generateKeyPairAsync('rsa', {
          modulusLength,
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        });
        inProgress -= 1;
        fresh.push(privateKey);
        generated += 1;
        if (generated % 50 === 0 || generated === missing) this.options.onProgress?.(generated, missing);
      }
    };
    let inProgress = 0;
    await Promise.all(Array.from({ length: Math.min(4, missing) }, worker));
    keys = [...keys, ...fresh];
    if (file) await writeCache(file, { format: 'lattice-sim-keys/1', modulusLength, keys });
    return keys;
  }

  private csrFor(keyPem: string, commonName: string): string {
    let key = this.parsed.get(keyPem);
    if (!key) {
      const privateKey = createPrivateKey(keyPem);
      const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
      key = { privateKey, publicKeyPem };
      this.parsed.set(keyPem, key);
    }
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
    csr.setSubject([{ name: 'commonName', value: commonName }]);
    csr.sign(nativeRsaSha256Signer(key.privateKey), forge.md.sha256.create());
    return forge.pki.certificationRequestToPem(csr);
  }
}

async function readCache(file: string, modulusLength: number): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const cached = JSON.parse(text) as Partial<CachedKeys>;
    if (cached.format !== 'lattice-sim-keys/1' || cached.modulusLength !== modulusLength) return [];
    return Array.isArray(cached.keys) ? cached.keys.filter((key) => typeof key === 'string') : [];
  } catch {
    // A corrupt cache is regenerated.
    return [];
  }
}

async function writeCache(file: string, content: CachedKeys): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, JSON.stringify(content), { mode: 0o600 });
  await fs.rename(temporary, file);
}
