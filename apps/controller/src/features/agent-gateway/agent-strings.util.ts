/**
 * Bounds for strings an agent sends, before they reach a log line or a column. An agent message may
 * be up to 16 MiB; one NACK reason must not become a megabyte of log.
 */
export const AGENT_STRING_LIMITS = {
  /** NACK reasons, stored as the cluster's last NACK and logged. */
  reason: 1_000,
  /** The agent's version as Hello reports it. */
  agentVersion: 64,
  /** Identifiers the agent names (cluster ids in Hello, telemetry batch ids, GNS ids). */
  identifier: 128,
  /** Anything else quoted in a log line or an error (cluster names, refusal reasons). */
  message: 500,
} as const;

// C0 and C1 controls, DEL, and the bidirectional overrides/isolates that reorder what a log reader sees.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/**
 * An agent-supplied string made safe to log or store: control characters (newlines included, so one
 * string cannot forge log lines) become one space each run, and anything past `maxLength` characters
 * is cut with a marker saying how much was dropped. Non-strings become ''.
 */
export function boundAgentString(value: unknown, maxLength: number): string {
  if (typeof value !== 'string') return '';
  // Cut before cleaning, so a 16 MiB string is never scanned whole.
  const head = value.length > maxLength * 2 + 16 ? value.slice(0, maxLength * 2 + 16) : value;
  const clean = head.replace(UNPRINTABLE, ' ');
  if (clean.length <= maxLength && head.length === value.length) return clean;
  let kept = clean.slice(0, maxLength);
  // Never leave half of a surrogate pair at the cut.
  if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
  const dropped = value.length - head.length + clean.length - kept.length;
  return `${kept}…[${dropped} more characters]`;
}
