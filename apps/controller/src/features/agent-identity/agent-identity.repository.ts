import { Injectable } from '@nestjs/common';
import { isEncryptedBlob, type EncryptedBlob } from '@lattice/pki';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../platform/database/prisma.service';

/** The encrypted_key column: an envelope-encrypted private key (libs/pki), checked before it is opened. */
const encryptedKeySchema = z.custom<EncryptedBlob>(isEncryptedBlob, 'expected an envelope-encrypted key');

/** A controller-internal CA as stored: its certificate and its envelope-encrypted key. */
export interface StoredInternalCa {
  certificatePem: string;
  encryptedKey: EncryptedBlob;
}

/** Controller-internal CAs (not tenant-owned: one per controller deployment, shared by replicas). */
@Injectable()
export class AgentIdentityRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findCa(name: string): Promise<StoredInternalCa | null> {
    const row = await this.prisma.internalCa.findUnique({ where: { name } });
    if (!row) return null;
    const encryptedKey = encryptedKeySchema.safeParse(row.encryptedKey);
    if (!encryptedKey.success) throw new Error(`the stored key of internal CA ${name} is malformed`);
    return { certificatePem: row.certificatePem, encryptedKey: encryptedKey.data };
  }

  /** Stores the CA unless one of that name exists: of two replicas starting together, the first wins. */
  async createCaIfAbsent(name: string, ca: StoredInternalCa): Promise<void> {
    await this.prisma.$executeRaw(Prisma.sql`
      INSERT INTO internal_cas (name, certificate_pem, encrypted_key)
      VALUES (${name}, ${ca.certificatePem}, ${JSON.stringify(ca.encryptedKey)}::jsonb)
      ON CONFLICT (name) DO NOTHING`);
  }
}
