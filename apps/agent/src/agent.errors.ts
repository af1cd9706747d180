/** Configuration or state problems the agent cannot recover from by retrying. */
export class AgentFatalError extends Error {
  override readonly name = 'AgentFatalError';
}
