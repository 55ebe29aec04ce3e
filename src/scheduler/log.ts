/** What of an error a scheduler log line carries: name, code and message (no stacks with request data). */

export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { error: error.message, errorName: error.name, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { error: String(error) };
}
