import type { Command } from 'commander';
import { LatticeClient } from '../client';
import { configPath, loadConfig, saveConfig, useContext, withContext } from '../config';
import { CliError, EXIT } from '../exit-codes';
import type { CliIo } from '../io';
import { table } from '../output';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function registerLogin(program: Command, io: CliIo): void {
  program
    .command('login')
    .description(
      'check a controller URL and API token, and keep them as a context in the config file (mode 0600)',
    )
    .argument('<url>', 'the controller REST address, e.g. https://lattice.example.com')
    .option('--token <token>', 'the API token (lat_…); else --token-stdin or LATTICE_TOKEN')
    .option('--token-stdin', 'read the token from standard input')
    .option('--name <context>', 'the context name', 'default')
    .action(async (url: string, options: { token?: string; tokenStdin?: boolean; name: string }) => {
      const token = options.tokenStdin ? await readStdin() : (options.token ?? io.env.LATTICE_TOKEN);
      if (!token)
        throw new CliError('give the token with --token, --token-stdin or LATTICE_TOKEN', EXIT.USAGE);
      if (!/^https?:\/\//.test(url)) throw new CliError(`${url} is not an http(s) URL`, EXIT.USAGE);
      const tenant = await new LatticeClient(url, token).request<{ id: string; name: string }>(
        'GET',
        'v1/tenant',
      );
      const file = configPath(io.env);
      saveConfig(file, withContext(loadConfig(file), options.name, { url, token }, true));
      io.out(
        `Logged in to ${url} as tenant ${tenant.name}; context "${options.name}" is current (${file}).\n`,
      );
    });

  const context = program
    .command('context')
    .description('switch between controllers and tokens, like kubectl contexts');
  context
    .command('use')
    .description('make a context the current one')
    .argument('<name>')
    .action((name: string) => {
      const file = configPath(io.env);
      saveConfig(file, useContext(loadConfig(file), name));
      io.out(`Switched to context "${name}".\n`);
    });
  context
    .command('list')
    .description('list the contexts (* marks the current one)')
    .action(() => {
      const config = loadConfig(configPath(io.env));
      io.out(
        table(
          ['CURRENT', 'NAME', 'URL'],
          Object.entries(config.contexts)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, { url }]) => [name === config.currentContext ? '*' : '', name, url]),
        ),
      );
    });
  context
    .command('current')
    .description('print the current context')
    .action(() => {
      const config = loadConfig(configPath(io.env));
      if (!config.currentContext) throw new CliError('no current context: run lattice login', EXIT.CONFIG);
      io.out(`${config.currentContext}\n`);
    });
}
