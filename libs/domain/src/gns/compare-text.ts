/** Code-unit order: unlike localeCompare it does not depend on the process locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
