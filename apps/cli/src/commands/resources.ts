import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { KIND_INFO, type DeclarativeKind } from '@lattice/domain';
import { CliError, EXIT } from '../exit-codes';
import type { CliIo } from '../io';
import { table, toJson, toYaml, type OutputFormat } from '../output';
import { KIND_LIST, parseTarget, requireName, resourcePath, SCOPED_KINDS } from '../target';
import { clientFor } from './session';

/** A document as the controller answers it (see apps/controller/src/features/declarative). */
export interface LiveDocument {
  apiVersion: string;
  kind: DeclarativeKind;
  metadata: {
    name: string;
    globalNamespace?: string;
    version?: number;
    updatedAt?: string;
    managedBy?: string;
    applySet?: string | null;
  };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const outputOption = () =>
  new Option('-o, --output <format>', 'table, yaml or json')
    .choices(['table', 'yaml', 'json'])
    .default('table');

function summary(document: LiveDocument): string {
  const status = document.status ?? {};
  switch (document.kind) {
    case 'Cluster':
      return `${String(status.status ?? '')} applied ${String(status.appliedVersion ?? 0)}/${String(status.desiredVersion ?? 0)}`;
    case 'GlobalNamespace':
      return `${String(document.spec.domain)} services ${String(status.serviceCount ?? 0)}`;
    case 'SLO':
      return `${String(document.spec.targetPercent)}% ${String(document.spec.window)} ${String((status as { health?: string }).health ?? 'not evaluated')}`;
    case 'Webhook':
      return String(document.spec.url);
    case 'AutoscalingPolicy':
      return autoscalingSummary(document.spec);
    default:
      return `${((status.warnings as unknown[] | undefined) ?? []).length} warnings`;
  }
}

/** "EFFICIENCY 2-10 CPU,LATENCY p99 (recommend only)": the mode, the bounds and what triggers it. */
function autoscalingSummary(spec: Record<string, unknown>): string {
  const instances = (spec.instances ?? {}) as { min?: number; max?: number };
  const triggers = ((spec.triggers ?? []) as { metric: string; percentile?: string }[])
    .map((trigger) => [trigger.metric, trigger.percentile].filter(Boolean).join(' '))
    .join(',');
  return `${String(spec.mode)} ${String(instances.min)}-${String(instances.max)} ${triggers}${spec.recommendOnly ? ' (recommend only)' : ''}`;
}

/** Documents as a table, YAML (one `---` section each) or JSON (a list as {items}, one resource as itself). */
export function printDocuments(
  io: CliIo,
  documents: readonly LiveDocument[],
  format: OutputFormat,
  list: boolean,
): void {
  if (format === 'json') io.out(toJson(list ? { items: documents } : documents[0]));
  else if (format === 'yaml') io.out(toYaml(documents));
  else
    io.out(
      table(
        ['NAME', 'VERSION', 'APPLY SET', 'UPDATED', 'SUMMARY'],
        documents.map((document) => [
          [document.metadata.globalNamespace, document.metadata.name].filter(Boolean).join('/'),
          String(document.metadata.version ?? ''),
          document.metadata.managedBy ? (document.metadata.applySet ?? '(adopted)') : '-',
          document.metadata.updatedAt ?? '',
          summary(document),
        ]),
      ),
    );
}

export function registerResources(program: Command, io: CliIo): void {
  program
    .command('get')
    .description('list resources of a kind, or show one')
    .argument('<kind>', `${KIND_LIST}; or kind/name`)
    .argument('[name]', `a name; ${SCOPED_KINDS}: <gns>/<service>`)
    .option('-g, --global-namespace <gns>', `${SCOPED_KINDS}: the Global Namespace`)
    .addOption(outputOption())
    .action(
      async (
        kindText: string,
        name: string | undefined,
        options: { globalNamespace?: string; output: OutputFormat },
        command: Command,
      ) => {
        const client = clientFor(command, io);
        const target = parseTarget(kindText, name, options.globalNamespace);
        if (target.name === undefined) {
          const { items } = await client.request<{ items: LiveDocument[] }>(
            'GET',
            `v1/declarative/${KIND_INFO[target.kind].plural}`,
          );
          const shown = target.globalNamespace
            ? items.filter((item) => item.metadata.globalNamespace === target.globalNamespace)
            : items;
          if (shown.length === 0 && options.output === 'table')
            io.err(`No ${KIND_INFO[target.kind].plural} found.\n`);
          else printDocuments(io, shown, options.output, true);
          return;
        }
        const { route, query } = resourcePath(requireName(target));
        printDocuments(
          io,
          [await client.request<LiveDocument>('GET', route, { query })],
          options.output,
          false,
        );
      },
    );

  program
    .command('describe')
    .description(
      'show one resource in full: spec, server metadata and status (for a GNS: convergence per member cluster)',
    )
    .argument('<kind>', 'a kind, or kind/name')
    .argument('[name]')
    .option('-g, --global-namespace <gns>', `${SCOPED_KINDS}: the Global Namespace`)
    .addOption(new Option('-o, --output <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action(
      async (
        kindText: string,
        name: string | undefined,
        options: { globalNamespace?: string; output: OutputFormat },
        command: Command,
      ) => {
        const { route, query } = resourcePath(
          requireName(parseTarget(kindText, name, options.globalNamespace)),
        );
        printDocuments(
          io,
          [await clientFor(command, io).request<LiveDocument>('GET', route, { query })],
          options.output,
          false,
        );
      },
    );

  program
    .command('export')
    .description("write the tenant's whole configuration as YAML that `lattice apply` reproduces exactly")
    .option('-f, --file <file>', 'write to this file instead of standard output')
    .addOption(new Option('-o, --output <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'))
    .action(async (options: { file?: string; output: 'yaml' | 'json' }, command: Command) => {
      const { items } = await clientFor(command, io).request<{ items: LiveDocument[] }>(
        'GET',
        'v1/declarative/export',
      );
      const text = options.output === 'json' ? toJson({ items }) : toYaml(items);
      if (!options.file) return io.out(text);
      try {
        fs.writeFileSync(options.file, text);
      } catch (error) {
        throw new CliError(`cannot write ${options.file}: ${(error as Error).message}`, EXIT.INVALID);
      }
      io.err(`Wrote ${items.length} resources to ${options.file}.\n`);
    });
}
