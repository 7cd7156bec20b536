/**
 * Errors stayopen knows how to answer itself. Anything else reaching
 * `app.onError` is logged and answered with a generic 500, never a stack trace.
 */
export class StayopenError extends Error {
  readonly isStayopenError = true;
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "StayopenError";
  }
}

export function isStayopenError(error: unknown): error is StayopenError {
  return typeof error === "object" && error !== null && (error as StayopenError).isStayopenError === true;
}

/**
 * A feature closed because a variable it needs is unusable: 503 with a message
 * naming the variable (never its value), until the operator corrects it.
 */
export class ConfigError extends StayopenError {
  constructor(readonly problem: { variable: string; message: string }) {
    super(503, "config_invalid", `stayopen configuration error: ${problem.message}`);
    this.name = "ConfigError";
  }
}
