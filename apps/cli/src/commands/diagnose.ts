import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes';
import type { CliIo } from '../io';
import { table, toJson } from '../output';
import { clientFor } from './session';

interface Finding {
  severity: 'ERROR' | 'WARNING' | 'INFO';
  code: string;
  clusterName: string | null;
  message: string;
  fix: string;
}

interface Diagnostics {
  gnsName: string;
  domain: string;
  summary: { ERROR: number; WARNING: number; INFO: number };
  findings: Finding[];
}

interface GnsPage {
  items: { id: string; name: string }[];
  nextCursor: string | null;
}

/** `lattice diagnose <gns>`: GET /v1/global-namespaces/{id}/diagnostics, as a table or JSON. */
export function registerDiagnose(program: Command, io: CliIo): void {
  program
    .command('diagnose')
    .description(
      'preflight diagnostics of a Global Namespace across its member clusters: what will not work and how to fix it (exit code 1 when there are errors)',
    )
    .argument('<gns>', 'the Global Namespace: <name> or gns/<name>')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (gnsText: string, options: { output: string }, command: Command) => {
      if (options.output !== 'table' && options.output !== 'json')
        throw new CliError(`--output ${options.output}: use table or json`, EXIT.USAGE);
      const name = gnsText.replace(/^(gns|globalnamespace)\//i, '');
      const client = clientFor(command, io);
      let id: string | undefined;
      let cursor: string | undefined;
      do {
        const page = await client.request<GnsPage>('GET', 'v1/global-namespaces', {
          query: { limit: '100', cursor },
        });
        id = page.items.find((gns) => gns.name === name)?.id;
        cursor = page.nextCursor ?? undefined;
      } while (!id && cursor);
      if (!id) throw new CliError(`gns/${name} not found`, EXIT.NOT_FOUND);
      const report = await client.request<Diagnostics>('GET', `v1/global-namespaces/${id}/diagnostics`);
      if (options.output === 'json') io.out(toJson(report));
      else io.out(renderDiagnostics(report));
      if (report.summary.ERROR > 0) process.exitCode = EXIT.DIFFERENCES;
    });
}

/** The findings as a table, then each finding's fix. */
export function renderDiagnostics(report: Diagnostics): string {
  const { ERROR, WARNING, INFO } = report.summary;
  const heading = `gns/${report.gnsName} (${report.domain}): ${ERROR} errors, ${WARNING} warnings, ${INFO} info\n`;
  if (report.findings.length === 0)
    return `${heading}No findings: every member cluster's Istio installation has what the GNS needs.\n`;
  const rows = report.findings.map((finding, index) => [
    String(index + 1),
    finding.severity,
    finding.clusterName ?? '(all)',
    finding.code,
  ]);
  const details = report.findings
    .map(
      (finding, index) =>
        `${index + 1}. ${finding.message}\n   Fix:\n${finding.fix
          .split('\n')
          .map((line) => `     ${line}`)
          .join('\n')}`,
    )
    .join('\n\n');
  return `${heading}\n${table(['#', 'SEVERITY', 'CLUSTER', 'CODE'], rows)}\n${details}\n`;
}
