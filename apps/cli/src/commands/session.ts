import type { Command } from 'commander';
import { LatticeClient } from '../client';
import { configPath, loadConfig, resolveContext } from '../config';
import type { CliIo } from '../io';

/** The client for the context the command runs in (--context, LATTICE_URL/LATTICE_TOKEN, or the current one). */
export function clientFor(command: Command, io: CliIo): LatticeClient {
  const { context } = command.optsWithGlobals<{ context?: string }>();
  const resolved = resolveContext(loadConfig(configPath(io.env)), context, io.env);
  return new LatticeClient(resolved.url, resolved.token);
}
