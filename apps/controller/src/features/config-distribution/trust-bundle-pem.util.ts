/**
 * A GNS's trust bundle as the agent snapshot carries it (and the CA status API shows it): the
 * trusted roots' PEMs, oldest generation first, each ending in a newline.
 */
export function trustBundlePem(roots: readonly { generation: number; certificatePem: string }[]): string {
  return [...roots]
    .sort((a, b) => a.generation - b.generation)
    .map((root) => (root.certificatePem.endsWith('\n') ? root.certificatePem : `${root.certificatePem}\n`))
    .join('');
}
