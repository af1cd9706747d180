/**
 * Selector regexes run against every cluster and namespace name on every membership computation,
 * so a pattern that can backtrack catastrophically would stall the controller. We refuse patterns
 * whose worst case grows exponentially or as a high power of the name length, and say why.
 *
 * Names are at most 253 characters, so up to three sequential quantifiers (polynomial, n^3: tens of
 * milliseconds at worst) are fine; four already take seconds. What is refused:
 * - a quantifier applied to something that itself contains a quantifier: `(a+)+`, `(\w*x?)*`;
 * - a repeated group whose alternatives can start with the same character, or with something we
 *   cannot tell apart (`(a|ab)+`, `(\d|1)*`, `(|a)*`): each repetition may pick either branch;
 * - backreferences (`\1`, `\k<name>`): matching them is NP-hard in general;
 * - more than MAX_REPETITIONS quantifiers in total: each adds a factor of the name length.
 *
 * `safe-regex2` is not used: it counts `?` as a repetition, so it refuses `shop(-[a-z0-9]+)?`,
 * a natural namespace pattern that cannot blow up.
 */
export const MAX_REPETITIONS = 3;

/** Returns why a pattern is refused, or null when it compiles and is safe to run. */
export function findRegexHazard(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (error) {
    return `does not compile: ${error instanceof Error ? error.message : String(error)}`;
  }
  return analyse(pattern);
}

/** What a branch starts with: a literal character, or something that may match many characters. */
type FirstAtom = { literal: string } | { opaque: true } | { empty: true };

interface GroupFrame {
  /** First atom of each `|`-separated branch. */
  branchFirsts: FirstAtom[];
  /** Whether the current branch has produced an atom yet. */
  branchStarted: boolean;
  /** Highest quantifier nesting seen inside this group. */
  starHeight: number;
  /** Some group nested inside has alternatives that can match the same text. */
  containsAmbiguousAlternation: boolean;
}

interface Atom {
  starHeight: number;
  /** A group with (possibly nested) alternatives that can match the same text. */
  ambiguous: boolean;
}

interface Quantifier {
  length: number;
  /** false for `?` and `{0,1}`: they choose once and cannot blow up. */
  repeats: boolean;
}

function analyse(pattern: string): string | null {
  const stack: GroupFrame[] = [newFrame()];
  let repetitions = 0;
  let previous: Atom | null = null;
  let index = 0;

  const current = (): GroupFrame => stack[stack.length - 1];
  const recordFirst = (first: FirstAtom): void => {
    const frame = current();
    if (!frame.branchStarted) {
      frame.branchFirsts[frame.branchFirsts.length - 1] = first;
      frame.branchStarted = true;
    }
  };

  while (index < pattern.length) {
    const char = pattern[index];

    const quantifier = readQuantifier(pattern, index);
    if (quantifier !== null) {
      index += quantifier.length;
      if (pattern[index] === '?') index += 1; // lazy variant: same worst case
      if (previous === null || !quantifier.repeats) continue;
      repetitions += 1;
      if (repetitions > MAX_REPETITIONS) {
        return `more than ${MAX_REPETITIONS} quantifiers: each one multiplies the worst-case matching time by the name length`;
      }
      if (previous.starHeight > 0) {
        return 'nested quantifier (a repeated group that itself contains a quantifier, like (a+)+) can take exponential time';
      }
      if (previous.ambiguous) {
        return 'repeated alternation whose branches can match the same text (like (a|ab)+) can take exponential time; make each branch start with a different literal character';
      }
      current().starHeight = Math.max(current().starHeight, previous.starHeight + 1);
      previous = null;
      continue;
    }

    if (char === '\\') {
      const next = pattern[index + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[index + 2] === '<')) {
        return 'backreferences are not allowed: matching them can take exponential time';
      }
      recordFirst({ opaque: true });
      previous = { starHeight: 0, ambiguous: false };
      index += 2;
      continue;
    }
    if (char === '[') {
      index = skipCharacterClass(pattern, index);
      recordFirst({ opaque: true });
      previous = { starHeight: 0, ambiguous: false };
      continue;
    }
    if (char === '(') {
      recordFirst({ opaque: true });
      stack.push(newFrame());
      index += groupPrefixLength(pattern, index);
      previous = null;
      continue;
    }
    if (char === ')') {
      const closed = stack.pop();
      if (closed === undefined || stack.length === 0) return 'unbalanced parenthesis';
      // The group's first atom, as seen from the enclosing branch, is opaque (already recorded).
      const ambiguous =
        closed.containsAmbiguousAlternation ||
        (closed.branchFirsts.length > 1 && !branchesAreDisjoint(closed.branchFirsts));
      previous = { starHeight: closed.starHeight, ambiguous };
      current().starHeight = Math.max(current().starHeight, closed.starHeight);
      current().containsAmbiguousAlternation ||= ambiguous;
      index += 1;
      continue;
    }
    if (char === '|') {
      current().branchFirsts.push({ empty: true });
      current().branchStarted = false;
      previous = null;
      index += 1;
      continue;
    }
    if (char === '^' || char === '$') {
      // Zero-width: the branch's first consuming character is unknown, so treat it as opaque.
      recordFirst({ opaque: true });
      previous = null;
      index += 1;
      continue;
    }
    recordFirst(char === '.' ? { opaque: true } : { literal: char });
    previous = { starHeight: 0, ambiguous: false };
    index += 1;
  }
  return null;
}

function newFrame(): GroupFrame {
  return {
    branchFirsts: [{ empty: true }],
    branchStarted: false,
    starHeight: 0,
    containsAmbiguousAlternation: false,
  };
}

function branchesAreDisjoint(firsts: readonly FirstAtom[]): boolean {
  const seen = new Set<string>();
  for (const first of firsts) {
    if (!('literal' in first)) return false;
    if (seen.has(first.literal)) return false;
    seen.add(first.literal);
  }
  return true;
}

/** `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` at index; a `{` that is not a quantifier is a literal (Annex B). */
function readQuantifier(pattern: string, index: number): Quantifier | null {
  const char = pattern[index];
  if (char === '*' || char === '+') return { length: 1, repeats: true };
  if (char === '?') return { length: 1, repeats: false };
  if (char !== '{') return null;
  const braced = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
  if (braced === null) return null;
  const hasComma = braced[2] !== undefined;
  const upper = hasComma ? (braced[3] === '' ? Infinity : Number(braced[3])) : Number(braced[1]);
  return { length: braced[0].length, repeats: upper > 1 };
}

/** Index just past the `]` that closes the class opened at index (JS: `[]` and `[^]` close at once). */
function skipCharacterClass(pattern: string, index: number): number {
  let position = index + 1;
  if (pattern[position] === '^') position += 1;
  while (position < pattern.length && pattern[position] !== ']') {
    position += pattern[position] === '\\' ? 2 : 1;
  }
  return position + 1;
}

/** Length of `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`. */
function groupPrefixLength(pattern: string, index: number): number {
  const rest = pattern.slice(index);
  const named = /^\(\?<[A-Za-z_$][\w$]*>/.exec(rest);
  if (named !== null) return named[0].length;
  const special = /^\(\?(?::|=|!|<=|<!)/.exec(rest);
  if (special !== null) return special[0].length;
  return 1;
}
