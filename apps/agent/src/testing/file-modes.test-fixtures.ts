import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The permission bits of a folder and of everything under it, as octal strings keyed by path
 * relative to the folder ('.' is the folder itself): `{ '.': '700', 'key.pem': '600' }`.
 */
export async function modesUnder(directory: string): Promise<Record<string, string>> {
  const modes: Record<string, string> = {};
  const visit = async (relative: string): Promise<void> => {
    const absolute = path.join(directory, relative);
    const stat = await fs.lstat(absolute);
    modes[relative] = (stat.mode & 0o777).toString(8);
    if (stat.isDirectory()) {
      for (const name of await fs.readdir(absolute)) await visit(path.join(relative, name));
    }
  };
  await visit('.');
  return modes;
}
