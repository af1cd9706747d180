import { findRegexHazard } from '../../gns/regex-safety';
import type { RequestMatch, StringMatch } from '../policy-spec';
import type { Findings } from './findings';

/** HTTP/2 header names: lowercase tokens (Envoy lowercases them, so `X-User` would never match). */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** One request match of a route: headers, path and method. */
export function checkMatch(field: string, match: RequestMatch, findings: Findings): void {
  if (match.headers === undefined && match.path === undefined && match.method === undefined)
    findings.error(field, 'must hold at least one of headers, path, method');
  for (const [name, value] of Object.entries(match.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      findings.error(
        `${field}.headers.${name}`,
        'header names must be lowercase tokens (Envoy lowercases header names before matching)',
      );
    checkStringMatch(`${field}.headers.${name}`, value, findings);
  }
  if (match.path !== undefined) {
    checkStringMatch(`${field}.path`, match.path, findings);
    const literal =
      'exact' in match.path ? match.path.exact : 'prefix' in match.path ? match.path.prefix : undefined;
    if (literal !== undefined && !literal.startsWith('/'))
      findings.error(`${field}.path`, 'must start with "/"');
  }
  if (match.method !== undefined && !HTTP_METHODS.includes(match.method))
    findings.error(`${field}.method`, `"${match.method}" is not an HTTP method (${HTTP_METHODS.join(', ')})`);
}

function checkStringMatch(field: string, value: StringMatch, findings: Findings): void {
  if (!('regex' in value)) return;
  // Envoy matches with RE2 (safe_regex): checked with an RE2 implementation, not JavaScript's rules.
  const hazard = findRegexHazard(value.regex);
  if (hazard !== null) findings.error(field, `regex refused: ${hazard}`);
}
