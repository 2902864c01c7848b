/**
 * The one error class of the vi-VN parsers. Readers branch on it to turn a bad cell into a quarantine
 * record instead of failing the whole file.
 */
export class ViParseError extends Error {
  /** The text that failed to parse, as given. */
  readonly input: string;
  constructor(what: string, input: string, reason: string) {
    super(`[pipeline] [vi] Failed to parse ${what} ${JSON.stringify(input)}: ${reason}`);
    this.name = 'ViParseError';
    this.input = input;
  }
}
