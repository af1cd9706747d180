import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  DECLARATIVE_KINDS,
  declarativeJsonSchema,
  declarativeJsonSchemaOfAll,
  schemaFileName,
} from '@lattice/domain';
import type { CliIo } from '../io';

/** Every declarative JSON Schema by file name, as the controller publishes them at /v1/schemas. */
export function schemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const kind of DECLARATIVE_KINDS)
    files.set(schemaFileName(kind), `${JSON.stringify(declarativeJsonSchema(kind), null, 2)}\n`);
  files.set(schemaFileName('all'), `${JSON.stringify(declarativeJsonSchemaOfAll(), null, 2)}\n`);
  return files;
}

export function registerSchemas(program: Command, io: CliIo): void {
  program
    .command('schemas')
    .description('write the JSON Schemas of the declarative kinds (for editors and CI validation)')
    .requiredOption('--out <folder>', 'the folder to write them to')
    .action((options: { out: string }) => {
      fs.mkdirSync(options.out, { recursive: true });
      for (const [name, text] of schemaFiles()) fs.writeFileSync(path.join(options.out, name), text);
      io.err(`Wrote ${DECLARATIVE_KINDS.length + 1} schemas to ${options.out}.\n`);
    });
}
