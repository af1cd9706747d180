import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './exit-codes';
import type { CliIo } from './io';
import { registerApply } from './commands/apply';
import { registerCluster } from './commands/cluster';
import { registerCompletion } from './commands/completion';
import { registerDiagnose } from './commands/diagnose';
import { registerLogin } from './commands/login';
import { registerResources } from './commands/resources';
import { registerSchemas } from './commands/schemas';
import { registerWait } from './commands/wait';

export const CLI_VERSION = '0.1.0';

export function buildProgram(io: CliIo): Command {
  const program = new Command('lattice')
    .description(
      'Lattice from the command line: declarative configuration (apply, diff, export), clusters and waits',
    )
    .version(CLI_VERSION)
    .option('--context <name>', 'use this context instead of the current one')
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride();
  registerLogin(program, io);
  registerResources(program, io);
  registerApply(program, io);
  registerCluster(program, io);
  registerWait(program, io);
  registerDiagnose(program, io);
  registerCompletion(program, io);
  registerSchemas(program, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code (docs/cli.md#exit-codes). Errors are one message on stderr. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError)
      return error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version'
        ? EXIT.OK
        : EXIT.USAGE;
    if (error instanceof CliError) {
      io.err(`error: ${error.message}\n`);
      for (const detail of error.details) io.err(`  ${detail}\n`);
      return error.exitCode;
    }
    io.err(`error: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.UNAVAILABLE;
  }
}
