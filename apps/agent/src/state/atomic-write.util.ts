import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Files the agent writes hold private keys (its own, GNS intermediates, `ca-key.pem` in the
 * directory sink's Secrets) or sit beside them: readable and writable by the agent's user only.
 */
export const PRIVATE_FILE_MODE = 0o600;
/** Folders holding such files: only the agent's user may list or enter them. */
export const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Writes a file so that readers see either the old or the new content, never a torn one: write a
 * temporary file in the same directory (same file system, so rename is atomic), fsync it, rename it
 * over the target, then fsync the directory so the rename survives a crash. The new file has
 * exactly `mode` (private by default), whatever the umask and whatever mode a file it replaces had.
 */
export async function writeFileAtomic(
  filePath: string,
  data: string | Uint8Array,
  mode = PRIVATE_FILE_MODE,
): Promise<void> {
  const directory = path.dirname(filePath);
  const temporaryPath = path.join(
    directory,
    `.${path.basename(filePath)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const handle = await fs.open(temporaryPath, 'wx', mode);
  try {
    await handle.writeFile(data);
    // The umask may have narrowed the mode at creation; the file must have exactly `mode`.
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // A new inode replaces the old file: its mode, not the replaced file's, is what stays.
    await fs.rename(temporaryPath, filePath);
  } catch (error) {
    await fs.rm(temporaryPath, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/**
 * Creates `directory` (and missing parents) with mode 0700, and narrows an existing one the agent
 * owns to 0700. A folder it does not own (the root of a mounted volume, e.g. a Kubernetes emptyDir
 * or a PVC prepared through fsGroup) keeps its mode: the agent cannot change it, and every file it
 * writes there is 0600 anyway.
 */
export async function ensurePrivateDirectory(directory: string): Promise<void> {
  await fs.mkdir(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  const stat = await fs.stat(directory);
  if (!stat.isDirectory()) throw new Error(`${directory} is not a directory`);
  const ownedByUs = process.getuid === undefined || stat.uid === process.getuid();
  if (ownedByUs && (stat.mode & 0o777) !== PRIVATE_DIRECTORY_MODE) {
    await fs.chmod(directory, PRIVATE_DIRECTORY_MODE);
  }
}

/** True when the file exists with exactly this content and mode (nothing to rewrite). */
export async function fileIsCurrent(
  filePath: string,
  content: string,
  mode = PRIVATE_FILE_MODE,
): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(filePath, 'r');
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  try {
    const stat = await handle.stat();
    if ((stat.mode & 0o777) !== mode) return false;
    return (await handle.readFile('utf8')) === content;
  } finally {
    await handle.close();
  }
}

export async function syncDirectory(directory: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(directory, 'r');
    await handle.sync();
  } catch {
    // Some file systems (and Windows) cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

export async function readFileIfExists(filePath: string): Promise<string | undefined> {
  try {
    return await fs.readFile(filePath, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

/** The errno code of a Node.js system error; structural because errors may come from another realm. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
