import { AGENT_STRING_LIMITS, boundAgentString } from './agent-strings.util';

describe('boundAgentString', () => {
  it('keeps a short printable string as it is', () => {
    expect(boundAgentString('apply failed: namespace "shop" is missing', 100)).toBe(
      'apply failed: namespace "shop" is missing',
    );
    expect(boundAgentString('café ✓ 日本', 100)).toBe('café ✓ 日本');
  });

  it('turns control characters and bidi overrides into spaces, so one string cannot forge log lines', () => {
    expect(boundAgentString('line1\nFAKE ERROR\r\n\u001b[31mred\u0000', 100)).toBe(
      'line1 FAKE ERROR [31mred ',
    );
    expect(boundAgentString('abc\u202edcba', 100)).toBe('abc dcba');
    expect(boundAgentString('\u0085\u009b', 100)).toBe(' ');
  });

  it('cuts a long string with a marker naming how much was dropped', () => {
    const bounded = boundAgentString('x'.repeat(1_000_000), 1_000);
    expect(bounded).toBe(`${'x'.repeat(1_000)}…[999000 more characters]`);
    expect(boundAgentString('abcdef', 3)).toBe('abc…[3 more characters]');
  });

  it('bounds a 16 MiB string quickly and to a small size', () => {
    const huge = '\n'.repeat(16 * 1024 * 1024);
    const started = Date.now();
    const bounded = boundAgentString(huge, AGENT_STRING_LIMITS.reason);
    expect(Date.now() - started).toBeLessThan(500);
    expect(bounded.length).toBeLessThan(AGENT_STRING_LIMITS.reason + 40);
    expect(bounded).toMatch(/…\[\d+ more characters\]$/);
  });

  it('does not split a surrogate pair at the cut', () => {
    const bounded = boundAgentString(`ab${'😀'.repeat(10)}`, 3);
    expect(bounded.startsWith('ab…')).toBe(true);
  });

  it('makes non-strings empty', () => {
    expect(boundAgentString(undefined, 10)).toBe('');
    expect(boundAgentString(42, 10)).toBe('');
  });
});
