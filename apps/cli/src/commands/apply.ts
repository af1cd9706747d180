import { Option, type Command } from 'commander';
import { APPLY_ORDER, refKey, type FieldChange, type ResourceRef } from '@lattice/domain';
import { ApiError, type LatticeClient } from '../client';
import { CliError, EXIT, worstExitCode, type ExitCode } from '../exit-codes';
import type { CliIo } from '../io';
import { loadManifests, type Manifest } from '../manifests';
import { displayName, renderChanges, toJson } from '../output';
import { parseTarget, requireName, resourcePath, SCOPED_KINDS } from '../target';
import { clientFor } from './session';

/** The controller's answer to one apply (PUT /v1/declarative/{kind}/{name}). */
interface ApplyResult {
  ref: ResourceRef & { key: string };
  action: 'create' | 'update' | 'unchanged';
  dryRun: boolean;
  changes: FieldChange[];
  version: number | null;
  warnings: { field: string; message: string }[];
  rendered?: { clusterName: string; added: string[]; changed: string[]; removed: string[]; error?: string }[];
  bootstrap?: { command: string; controllerCaPem: string; expiresAt: string };
  secret?: string;
}

interface PruneResult {
  deleted: { ref: ResourceRef & { key: string } }[];
  dryRun: boolean;
}

interface Outcome {
  results: ApplyResult[];
  pruned: PruneResult['deleted'];
  failures: { source: string; error: CliError }[];
  exitCode: ExitCode;
}

const VERB: Record<ApplyResult['action'], string> = {
  create: 'created',
  update: 'configured',
  unchanged: 'unchanged',
};

/**
 * Applies (or, with dryRun, previews) every manifest in order, going on after a failure so one
 * bad document does not hide the state of the others; prunes only when everything applied.
 */
async function applyAll(
  client: LatticeClient,
  manifests: readonly Manifest[],
  options: { dryRun: boolean; prune: boolean; applySet: string; force: boolean },
): Promise<Outcome> {
  const outcome: Outcome = { results: [], pruned: [], failures: [], exitCode: EXIT.OK };
  for (const manifest of manifests) {
    const { route, query } = resourcePath(manifest.resource);
    try {
      outcome.results.push(
        await client.request<ApplyResult>('PUT', route, {
          body: manifest.document,
          query: {
            ...query,
            dryRun: String(options.dryRun),
            force: String(options.force),
            applySet: options.applySet,
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      outcome.failures.push({ source: `${manifest.source} (${refKey(manifest.resource)})`, error });
      outcome.exitCode = worstExitCode(outcome.exitCode, error.exitCode);
    }
  }
  if (options.prune && outcome.failures.length === 0) {
    const pruned = await client.request<PruneResult>('POST', 'v1/declarative/prune', {
      body: {
        applySet: options.applySet,
        keep: manifests.map((m) => refKey(m.resource)),
        dryRun: options.dryRun,
      },
    });
    outcome.pruned = pruned.deleted;
  }
  return outcome;
}

function reportFailures(io: CliIo, outcome: Outcome, prune: boolean): void {
  for (const { source, error } of outcome.failures) {
    io.err(`error: ${source}: ${error.message}\n`);
    for (const detail of error.details) io.err(`  ${detail}\n`);
  }
  if (prune && outcome.failures.length > 0) io.err('Nothing was pruned because some documents failed.\n');
}

function renderedSummary(result: ApplyResult): string[] {
  return (result.rendered ?? []).map((cluster) =>
    cluster.error
      ? `    cluster ${cluster.clusterName}: cannot render: ${cluster.error}`
      : `    cluster ${cluster.clusterName}: ${
          [
            ...cluster.added.map((object) => `+${object}`),
            ...cluster.changed.map((object) => `~${object}`),
            ...cluster.removed.map((object) => `-${object}`),
          ].join(' ') || 'no Istio object changes'
        }`,
  );
}

const fileOptions = (command: Command) =>
  command
    .requiredOption('-f, --filename <paths...>', 'YAML or JSON files, or folders of them')
    .option('-R, --recursive', 'also read the subfolders of folders')
    .option(
      '--apply-set <name>',
      'the set of resources this configuration owns; prune stays inside it',
      'default',
    );

export function registerApply(program: Command, io: CliIo): void {
  fileOptions(
    program
      .command('apply')
      .description(
        'create or update every resource the files name (server-side apply); --prune deletes what apply created and the files no longer name',
      ),
  )
    .option('--dry-run', 'show what would change, change nothing')
    .option('--prune', 'delete resources created by apply in this apply set that the files no longer name')
    .option('--force-conflicts', 'overwrite resources changed outside apply since the last apply')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(
      async (
        options: {
          filename: string[];
          recursive?: boolean;
          applySet: string;
          dryRun?: boolean;
          prune?: boolean;
          forceConflicts?: boolean;
          output: string;
        },
        command: Command,
      ) => {
        const manifests = loadManifests(options.filename, options.recursive ?? false);
        const outcome = await applyAll(clientFor(command, io), manifests, {
          dryRun: options.dryRun ?? false,
          prune: options.prune ?? false,
          applySet: options.applySet,
          force: options.forceConflicts ?? false,
        });
        if (options.output === 'json') io.out(toJson({ results: outcome.results, pruned: outcome.pruned }));
        else {
          const suffix = options.dryRun ? ' (dry run)' : '';
          for (const result of outcome.results) {
            io.out(`${displayName(result.ref)} ${VERB[result.action]}${suffix}\n`);
            for (const warning of result.warnings)
              io.out(`  warning: ${warning.field}: ${warning.message}\n`);
            if (result.bootstrap)
              io.out(
                `  install its agent (the token works once, until ${result.bootstrap.expiresAt}):\n    ${result.bootstrap.command}\n` +
                  `  or run \`lattice cluster register ${result.ref.name}\` for a new token and to wait for the agent.\n`,
              );
            if (result.secret) io.out(`  signing secret (shown only now): ${result.secret}\n`);
          }
          for (const pruned of outcome.pruned) io.out(`${displayName(pruned.ref)} pruned${suffix}\n`);
        }
        reportFailures(io, outcome, options.prune ?? false);
        process.exitCode = outcome.exitCode;
      },
    );

  fileOptions(
    program
      .command('diff')
      .description(
        'show how the files differ from what is live; exit code 0 when equal, 1 when they differ, more on errors',
      ),
  )
    .option('--prune', 'also show what apply --prune would delete')
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(
      async (
        options: {
          filename: string[];
          recursive?: boolean;
          applySet: string;
          prune?: boolean;
          output: string;
        },
        command: Command,
      ) => {
        const manifests = loadManifests(options.filename, options.recursive ?? false);
        const outcome = await applyAll(clientFor(command, io), manifests, {
          dryRun: true,
          prune: options.prune ?? false,
          applySet: options.applySet,
          force: true,
        });
        const changed = outcome.results.filter((result) => result.action !== 'unchanged');
        if (options.output === 'json') io.out(toJson({ results: changed, pruned: outcome.pruned }));
        else {
          for (const result of changed) {
            io.out(
              `${result.action === 'create' ? '+' : '~'} ${result.ref.key}\n${renderChanges(result.changes)}\n`,
            );
            for (const line of renderedSummary(result)) io.out(`${line}\n`);
            for (const warning of result.warnings)
              io.out(`    warning: ${warning.field}: ${warning.message}\n`);
          }
          for (const pruned of outcome.pruned) io.out(`- ${pruned.ref.key} (pruned)\n`);
        }
        reportFailures(io, outcome, options.prune ?? false);
        const differs = changed.length > 0 || outcome.pruned.length > 0;
        process.exitCode =
          outcome.failures.length > 0 ? outcome.exitCode : differs ? EXIT.DIFFERENCES : EXIT.OK;
      },
    );

  program
    .command('delete')
    .description(
      'delete the resources the files name (dependents first), or one resource: delete <kind> <name>',
    )
    .argument('[kind]', 'a kind, or kind/name (instead of -f)')
    .argument('[name]')
    .option('-f, --filename <paths...>', 'YAML or JSON files, or folders of them')
    .option('-R, --recursive', 'also read the subfolders of folders')
    .option('-g, --global-namespace <gns>', `${SCOPED_KINDS}: the Global Namespace`)
    .option('--dry-run', 'show what would be deleted, delete nothing')
    .option('--ignore-not-found', 'treat resources that do not exist as deleted')
    .action(
      async (
        kindText: string | undefined,
        name: string | undefined,
        options: {
          filename?: string[];
          recursive?: boolean;
          globalNamespace?: string;
          dryRun?: boolean;
          ignoreNotFound?: boolean;
        },
        command: Command,
      ) => {
        if ((kindText === undefined) === (options.filename === undefined))
          throw new CliError('name what to delete: -f <files> or <kind> <name>', EXIT.USAGE);
        const refs: ResourceRef[] = options.filename
          ? loadManifests(options.filename, options.recursive ?? false)
              .map((manifest) => manifest.resource)
              .reverse()
          : [requireName(parseTarget(kindText!, name, options.globalNamespace))];
        refs.sort((a, b) => APPLY_ORDER.indexOf(b.kind) - APPLY_ORDER.indexOf(a.kind));
        const client = clientFor(command, io);
        let exitCode: ExitCode = EXIT.OK;
        for (const ref of refs) {
          const { route, query } = resourcePath(ref);
          try {
            await client.request('DELETE', route, {
              query: { ...query, dryRun: String(options.dryRun ?? false) },
            });
            io.out(`${displayName(ref)} deleted${options.dryRun ? ' (dry run)' : ''}\n`);
          } catch (error) {
            if (error instanceof ApiError && error.status === 404 && options.ignoreNotFound) continue;
            if (!(error instanceof CliError)) throw error;
            io.err(`error: ${refKey(ref)}: ${error.message}\n`);
            exitCode = worstExitCode(exitCode, error.exitCode);
          }
        }
        process.exitCode = exitCode;
      },
    );
}
