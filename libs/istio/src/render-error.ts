/** The desired state cannot be rendered; the agent NACKs the snapshot with this message. */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}
