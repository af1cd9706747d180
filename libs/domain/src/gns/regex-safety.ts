import { RE2JS } from 're2js';

/**
 * Regular expressions with RE2 semantics: the dialect Envoy evaluates (its `safe_regex` is Google
 * RE2), used for every regex Lattice accepts, whether Envoy runs it (route header and path
 * matches) or the controller does (GNS cluster and namespace selectors). RE2 matches in time
 * linear in the input, so no pattern can backtrack catastrophically; what RE2 refuses is refused
 * here with RE2's own message, and the constructs people expect from JavaScript or PCRE
 * (lookarounds, backreferences) get a message saying so. Accepted: `(?i)` flags, `(?P<g>…)` and
 * `(?<g>…)` named groups; refused: repeat counts above 1000 (`a{1001}`).
 *
 * The implementation is `re2js`, a pure-JavaScript port of RE2 (no native build).
 */

const LOOKAROUND = /\(\?<?[=!]/;
const BACKREFERENCE = /\\[1-9]|\\k[<{']/;

/** Returns why a pattern is refused under RE2, or null when RE2 accepts it. */
export function findRegexHazard(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (error) {
    if (LOOKAROUND.test(pattern))
      return 'lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported: Envoy matches with RE2';
    if (BACKREFERENCE.test(pattern))
      return 'backreferences (\\1, \\k<name>) are not supported: Envoy matches with RE2';
    return `does not compile as RE2: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A whole-string matcher with RE2 semantics; throws when RE2 refuses the pattern (check first). */
export function compileFullMatch(pattern: string): (text: string) => boolean {
  const compiled = RE2JS.compile(pattern);
  return (text) => compiled.matches(text);
}
