import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { CliError, EXIT } from './exit-codes';

/** One controller and the token to use there, like a kubeconfig context. */
export interface Context {
  url: string;
  token: string;
}

export interface CliConfig {
  currentContext: string | null;
  contexts: Record<string, Context>;
}

const configSchema = z
  .object({
    currentContext: z.string().nullable().default(null),
    contexts: z.record(z.string(), z.object({ url: z.string(), token: z.string() }).strict()).default({}),
  })
  .strict();

const EMPTY: CliConfig = { currentContext: null, contexts: {} };

/** `LATTICE_CONFIG`, else `$XDG_CONFIG_HOME/lattice/config.yaml`, else `~/.config/lattice/config.yaml`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LATTICE_CONFIG) return path.resolve(env.LATTICE_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'lattice', 'config.yaml');
}

export function loadConfig(file: string): CliConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...EMPTY, contexts: {} };
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT.CONFIG);
  }
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    throw new CliError(`${file} is not valid YAML: ${(error as Error).message}`, EXIT.CONFIG);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success)
    throw new CliError(
      `${file} is not a lattice config file`,
      EXIT.CONFIG,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`),
    );
  return parsed.data;
}

/** Writes the file readable by its owner only (it holds tokens): 0600, in a 0700 folder when it creates one. */
export function saveConfig(file: string, config: CliConfig): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, stringify(config), { mode: 0o600 });
  fs.chmodSync(temporary, 0o600);
  fs.renameSync(temporary, file);
}

export function withContext(
  config: CliConfig,
  name: string,
  context: Context,
  makeCurrent: boolean,
): CliConfig {
  return {
    currentContext: makeCurrent || config.currentContext === null ? name : config.currentContext,
    contexts: { ...config.contexts, [name]: context },
  };
}

export function useContext(config: CliConfig, name: string): CliConfig {
  if (!config.contexts[name])
    throw new CliError(
      `no context named ${name}; known: ${Object.keys(config.contexts).sort().join(', ') || 'none (run lattice login)'}`,
      EXIT.CONFIG,
    );
  return { ...config, currentContext: name };
}

/**
 * The controller and token to talk to: `LATTICE_URL` + `LATTICE_TOKEN` (CI), else the context named
 * with --context, else the current context.
 */
export function resolveContext(
  config: CliConfig,
  override: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Context & { name: string } {
  if (!override && env.LATTICE_URL && env.LATTICE_TOKEN)
    return { name: '(environment)', url: env.LATTICE_URL, token: env.LATTICE_TOKEN };
  const name = override ?? config.currentContext;
  if (!name)
    throw new CliError(
      'not logged in: run `lattice login <url> --token <token>` (or set LATTICE_URL and LATTICE_TOKEN)',
      EXIT.CONFIG,
    );
  const context = config.contexts[name];
  if (!context) return { ...useContext(config, name).contexts[name]!, name };
  return { ...context, name };
}
